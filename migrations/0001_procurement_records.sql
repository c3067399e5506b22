-- Procurement records as goszakup publishes them: contract versions, their units, lots, treasury payments,
-- organisations and reference books. Money is integer tiyn (bigint), times are timestamptz (UTC instants),
-- integer ids and reference ids are bigint because OWS ids are only known to be safe JavaScript integers.
--
-- Foreign keys between these tables are deliberately absent: OWS exports arrive entity by entity and page by page,
-- so units and payments routinely arrive before their contract, contracts name lots and subjects that come later
-- (or never), and a rejected record must not block its good neighbours. Referential gaps are handled by the
-- indicators themselves (an unknown lot makes the plan sum unknown, a missing root skips the chain).

-- The 20 first-level regions (core domain/Region.ts); subject.region references it.
CREATE TABLE region (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
  name_ru text NOT NULL,
  name_kk text NOT NULL,
  name_en text NOT NULL
);

INSERT INTO region (code, name_ru, name_kk, name_en) VALUES
  ('10', 'Абайская область', 'Абай облысы', 'Abai Region'),
  ('11', 'Акмолинская область', 'Ақмола облысы', 'Akmola Region'),
  ('15', 'Актюбинская область', 'Ақтөбе облысы', 'Aktobe Region'),
  ('19', 'Алматинская область', 'Алматы облысы', 'Almaty Region'),
  ('23', 'Атырауская область', 'Атырау облысы', 'Atyrau Region'),
  ('27', 'Западно-Казахстанская область', 'Батыс Қазақстан облысы', 'West Kazakhstan Region'),
  ('31', 'Жамбылская область', 'Жамбыл облысы', 'Jambyl Region'),
  ('33', 'Жетысуская область', 'Жетісу облысы', 'Jetisu Region'),
  ('35', 'Карагандинская область', 'Қарағанды облысы', 'Karaganda Region'),
  ('39', 'Костанайская область', 'Қостанай облысы', 'Kostanay Region'),
  ('43', 'Кызылординская область', 'Қызылорда облысы', 'Kyzylorda Region'),
  ('47', 'Мангистауская область', 'Маңғыстау облысы', 'Mangystau Region'),
  ('55', 'Павлодарская область', 'Павлодар облысы', 'Pavlodar Region'),
  ('59', 'Северо-Казахстанская область', 'Солтүстік Қазақстан облысы', 'North Kazakhstan Region'),
  ('61', 'Туркестанская область', 'Түркістан облысы', 'Turkistan Region'),
  ('62', 'Улытауская область', 'Ұлытау облысы', 'Ulytau Region'),
  ('63', 'Восточно-Казахстанская область', 'Шығыс Қазақстан облысы', 'East Kazakhstan Region'),
  ('71', 'г. Астана', 'Астана қ.', 'Astana'),
  ('75', 'г. Алматы', 'Алматы қ.', 'Almaty'),
  ('79', 'г. Шымкент', 'Шымкент қ.', 'Shymkent');

-- One row per contract version (an amendment is a version of its own). Partitioned by financial year so that
-- yearly archives can be detached or dropped and year-bounded scans touch one partition. The partition key
-- fin_part is fin_year when it is a plausible year and 0 otherwise (a partition key must be NOT NULL to be part
-- of the primary key). PostgreSQL cannot enforce a unique id across partitions, so (id, fin_part) is the key
-- and the importer keeps id unique: it updates the existing row by id, and an UPDATE that changes fin_part
-- moves the row to its new partition instead of leaving a duplicate behind.
CREATE TABLE contract (
  id bigint NOT NULL CHECK (id > 0),
  fin_part integer NOT NULL,
  parent_id bigint,
  root_id bigint,
  trd_buy_id bigint,
  status_id bigint,
  type_id bigint,
  year_type_id bigint,
  subject_type_id bigint,
  deleted boolean NOT NULL,
  crdate timestamptz NOT NULL,
  last_update_date timestamptz,
  sign_date timestamptz,
  customer_bin text CHECK (customer_bin ~ '^[0-9]{12}$'),
  supplier_bin text CHECK (supplier_bin ~ '^[0-9]{12}$'),
  contract_number text,
  contract_number_sys text,
  fin_year bigint,
  currency_code text,
  contract_sum bigint CHECK (contract_sum >= 0),
  contract_sum_wnds bigint CHECK (contract_sum_wnds >= 0),
  fakt_sum bigint CHECK (fakt_sum >= 0),
  fakt_sum_wnds bigint CHECK (fakt_sum_wnds >= 0),
  ec_end_date timestamptz,
  plan_exec_date timestamptz,
  fakt_exec_date timestamptz,
  contract_end_date timestamptz,
  cancel_id bigint,
  description_ru text,
  PRIMARY KEY (id, fin_part)
) PARTITION BY RANGE (fin_part);

CREATE TABLE contract_fy2017 PARTITION OF contract FOR VALUES FROM (2017) TO (2018);
CREATE TABLE contract_fy2018 PARTITION OF contract FOR VALUES FROM (2018) TO (2019);
CREATE TABLE contract_fy2019 PARTITION OF contract FOR VALUES FROM (2019) TO (2020);
CREATE TABLE contract_fy2020 PARTITION OF contract FOR VALUES FROM (2020) TO (2021);
CREATE TABLE contract_fy2021 PARTITION OF contract FOR VALUES FROM (2021) TO (2022);
CREATE TABLE contract_fy2022 PARTITION OF contract FOR VALUES FROM (2022) TO (2023);
CREATE TABLE contract_fy2023 PARTITION OF contract FOR VALUES FROM (2023) TO (2024);
CREATE TABLE contract_fy2024 PARTITION OF contract FOR VALUES FROM (2024) TO (2025);
CREATE TABLE contract_fy2025 PARTITION OF contract FOR VALUES FROM (2025) TO (2026);
CREATE TABLE contract_fy2026 PARTITION OF contract FOR VALUES FROM (2026) TO (2027);
CREATE TABLE contract_fy2027 PARTITION OF contract FOR VALUES FROM (2027) TO (2028);
-- Unknown (fin_part 0) and years outside the ranges above. A later migration that adds a year must first move
-- that year's rows out of the default partition (PostgreSQL refuses a new partition whose rows sit in default).
CREATE TABLE contract_fy_other PARTITION OF contract DEFAULT;

-- Lookups by id without the partition key (getContract, the importer's upsert, chain joins).
CREATE INDEX contract_id_idx ON contract (id);
CREATE INDEX contract_customer_idx ON contract (customer_bin, id);
CREATE INDEX contract_supplier_idx ON contract (supplier_bin, id);
CREATE INDEX contract_number_idx ON contract (contract_number);
CREATE INDEX contract_number_sys_idx ON contract (contract_number_sys);
CREATE INDEX contract_sign_date_idx ON contract (sign_date);
-- Chain keys of versions without a root id depend on their parents: finding the children of a changed
-- version is how the importer propagates a new chain key down the parent line.
CREATE INDEX contract_rootless_parent_idx ON contract (parent_id) WHERE root_id IS NULL AND parent_id IS NOT NULL;

-- The chain each version belongs to (core Dataset.chainKeyOf: root_id, else the top of the parent line),
-- maintained by the importer in the same transaction as the versions, for getChain and the indicators.
CREATE TABLE contract_chain (
  contract_id bigint PRIMARY KEY,
  chain_key bigint NOT NULL
);
CREATE INDEX contract_chain_key_idx ON contract_chain (chain_key);

CREATE TABLE contract_unit (
  id bigint PRIMARY KEY CHECK (id > 0),
  contract_id bigint NOT NULL,
  lot_id bigint,
  pln_point_id bigint,
  total_sum bigint CHECK (total_sum >= 0)
);
CREATE INDEX contract_unit_contract_idx ON contract_unit (contract_id);
CREATE INDEX contract_unit_lot_idx ON contract_unit (lot_id);

CREATE TABLE lot (
  id bigint PRIMARY KEY CHECK (id > 0),
  trd_buy_id bigint,
  amount bigint NOT NULL CHECK (amount >= 0),
  customer_bin text CHECK (customer_bin ~ '^[0-9]{12}$'),
  last_update_date timestamptz
);

CREATE TABLE treasury_payment (
  id bigint PRIMARY KEY CHECK (id > 0),
  contract_id bigint NOT NULL,
  pay_date timestamptz NOT NULL,
  pay_amount bigint NOT NULL CHECK (pay_amount >= 0),
  prepay_sum bigint CHECK (prepay_sum >= 0)
);
CREATE INDEX treasury_payment_contract_idx ON treasury_payment (contract_id, pay_date);

-- region is derived from kato by the importer with core's regionOfKato (the single definition of the rule).
CREATE TABLE subject (
  bin text PRIMARY KEY CHECK (bin ~ '^[0-9]{12}$'),
  name_ru text,
  name_kz text,
  kato text CHECK (kato ~ '^[0-9]{2,9}$'),
  region text REFERENCES region (code)
);
CREATE INDEX subject_region_idx ON subject (region);

CREATE TABLE ref_book (
  book text NOT NULL,
  id bigint NOT NULL,
  code text,
  name_ru text NOT NULL,
  name_kz text,
  PRIMARY KEY (book, id)
);
