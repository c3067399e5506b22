-- Indicator evaluation inside the database: per-chain facts (independent of parameters), runs, findings, and the
-- formatting functions that print measures exactly as core's Decimal/Money/AlmatyTime helpers do.

-- What the indicators need of one chain, derived from the records; rebuilt by a full run, patched for the chains
-- in refresh_chain by an incremental refresh. Evaluating any parameter set is then one scan of this table.
CREATE TABLE chain_fact (
  chain_key bigint PRIMARY KEY,
  -- The root version (id = chain_key, no parent, root id absent or its own); NULL when it is not in the data.
  root_id bigint,
  deleted boolean,
  type_id bigint,
  year_type_id bigint,
  status_id bigint,
  customer_bin text,
  supplier_bin text,
  sum_wnds bigint,
  crdate timestamptz,
  sign_date timestamptz,
  -- P: the sum over the distinct lots the root's units reference; NULL when unknown (no lots, or a lot missing).
  plan_sum numeric,
  -- The earliest payment on any version of the chain (deleted ones too) or on the chain key itself.
  first_pay timestamptz,
  -- Non-deleted versions, and the first and last of them in chain order (sign_date NULLS LAST, crdate, id).
  n_versions integer NOT NULL,
  first_sum bigint,
  last_sum bigint,
  first_fakt bigint,
  last_fakt bigint
);
CREATE INDEX chain_fact_customer_idx ON chain_fact (customer_bin);
CREATE INDEX chain_fact_supplier_idx ON chain_fact (supplier_bin);

CREATE TABLE indicator_run (
  id bigserial PRIMARY KEY,
  mode text NOT NULL CHECK (mode IN ('full', 'refresh')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  indicators text[] NOT NULL,
  -- The resolved parameters (filters and each indicator's), canonical JSON text: a refresh is incremental only
  -- when they equal the previous run's.
  params text NOT NULL,
  findings integer NOT NULL,
  stats jsonb NOT NULL
);

-- The latest findings of each indicator. key is compared bytewise (COLLATE "C") so that keyset paging orders
-- keys the way the in-memory store does.
CREATE TABLE finding (
  key text COLLATE "C" PRIMARY KEY,
  indicator text COLLATE "C" NOT NULL,
  subject_kind text NOT NULL CHECK (subject_kind IN ('contract', 'pair')),
  contract_id bigint,
  customer_bin text NOT NULL,
  supplier_bin text NOT NULL,
  region text,
  date timestamptz,
  measures jsonb NOT NULL,
  thresholds jsonb NOT NULL,
  explanation_ru text NOT NULL,
  explanation_en text NOT NULL,
  run_id bigint REFERENCES indicator_run (id) ON DELETE SET NULL,
  CHECK ((subject_kind = 'contract') = (contract_id IS NOT NULL))
);
CREATE INDEX finding_indicator_idx ON finding (indicator, key);
CREATE INDEX finding_region_idx ON finding (region, key);
CREATE INDEX finding_customer_idx ON finding (customer_bin, key);
CREATE INDEX finding_supplier_idx ON finding (supplier_bin, key);
CREATE INDEX finding_date_idx ON finding (date);
CREATE INDEX finding_contract_idx ON finding (contract_id) WHERE contract_id IS NOT NULL;

-- num/den rounded half away from zero to 4 decimals, as core's formatFraction: "30.0000", "-5.5000". Integer
-- division on numeric is exact, so no intermediate rounding can differ from the bigint arithmetic in TS.
CREATE FUNCTION aq_fmt_fraction(num numeric, den numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE WHEN num < 0 AND q <> 0 THEN '-' ELSE '' END || (q * 0.0001)::text
  FROM (SELECT div(2 * abs(num) * 10000 + den, 2 * den) AS q) AS rounded
$$;

-- Tiyn as tenge with two decimals, as core's formatTenge: 123450 -> "1234.50".
CREATE FUNCTION aq_fmt_tenge(tiyn numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (tiyn * 0.01)::text $$;

-- The calendar day in Asia/Almaty of an instant (core's almatyDay), from the server's time-zone database.
CREATE FUNCTION aq_almaty_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (ts AT TIME ZONE 'Asia/Almaty')::date $$;
