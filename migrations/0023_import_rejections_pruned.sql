-- Stored rejections can be pruned (`adalqarau imports prune-rejections`): the rejected_record rows of older imports
-- are deleted while their import_batch counts stay. Each batch whose rows went says when, so that `rejects` and the
-- listing say "pruned" rather than showing an import that rejected records as one with none to read. NULL: kept.
-- Only a batch that rejected something has anything to prune.
ALTER TABLE import_batch ADD COLUMN rejections_pruned_at timestamptz
  CHECK (rejections_pruned_at IS NULL OR rejected > 0);
