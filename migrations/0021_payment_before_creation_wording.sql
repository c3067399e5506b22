-- An accelerated payment dated before the contract's creation was explained as "-9 day(s) after" it; core and the
-- SQL engine now say "9 day(s) before". Findings stored by earlier runs are reworded from their own measures and
-- thresholds: a refresh rewrites only the chains that changed, and would leave the old wording beside the new.
UPDATE finding
SET explanation_ru = format('Первая оплата %s за %s дн. до создания договора %s (порог: менее %s дн.).',
      measures ->> 'first_payment', -(measures ->> 'days')::int, measures ->> 'contract_created',
      thresholds ->> 'max_days'),
    explanation_en = format(
      'First payment on %s, %s day(s) before the contract was created on %s (threshold: fewer than %s).',
      measures ->> 'first_payment', -(measures ->> 'days')::int, measures ->> 'contract_created',
      thresholds ->> 'max_days')
WHERE indicator = 'accelerated-payment' AND (measures ->> 'days')::int < 0;
