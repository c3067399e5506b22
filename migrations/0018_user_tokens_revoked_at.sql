-- When a user's access tokens were last revoked (a password change, disabling): core's StoredUser.tokensRevokedAt.
-- An access token carries the value it was issued under and is refused once the column holds another, so a
-- changed password locks out a stolen access token at once rather than when it expires. NULL: never revoked,
-- which is what every token issued before this column existed was issued under.
ALTER TABLE app_user ADD COLUMN tokens_revoked_at timestamptz;
