-- Announces committed changes to findings and users on the channel adalqarau_changes (payload: the topic), so
-- servers can keep copies of finding pages and users in memory and drop them when another process (the worker's
-- runs, an admin's change through another server, a DBA's statement) changes the rows. Per statement, not per row:
-- a full run's million-row INSERT sends one notification, and PostgreSQL delivers it only once the transaction
-- commits (and folds repeats within a transaction into one).
CREATE FUNCTION aq_notify_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('adalqarau_changes', TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TRIGGER finding_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON finding
  FOR EACH STATEMENT EXECUTE FUNCTION aq_notify_change('findings');

CREATE TRIGGER app_user_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON app_user
  FOR EACH STATEMENT EXECUTE FUNCTION aq_notify_change('users');
