-- Access tokens name the refresh-session family (login) they were issued under, and are refused once a session
-- of that family is revoked (logout, refresh-token reuse), so every authenticated request asks whether its family
-- is revoked. Revoked sessions are few: a partial index answers that with one probe, however many rotated
-- sessions a long login has piled up.
CREATE INDEX refresh_session_revoked_family_idx ON refresh_session (family_id) WHERE revoked_at IS NOT NULL;

-- Servers keep those answers in memory (docs/server.md); a revocation committed by any process announces the
-- topic 'sessions' on the channel of migration 0007. Per row, filtered: a login's insert and a refresh's rotation
-- (the statements that change sessions all the time) announce nothing, and PostgreSQL folds a transaction's
-- identical notifications into one, so revoking many sessions at once sends one. Deletions are not announced: the
-- session sweep deletes a session only once no access token of its family can still be alive.
CREATE TRIGGER refresh_session_revoked AFTER UPDATE OF revoked_at ON refresh_session
  FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
  EXECUTE FUNCTION aq_notify_change('sessions');

CREATE TRIGGER refresh_session_inserted_revoked AFTER INSERT ON refresh_session
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION aq_notify_change('sessions');
