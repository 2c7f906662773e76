-- When a token's use was last written to the audit trail: at most one `token_use` event per
-- token per ten minutes, claimed atomically so that replicas do not write it twice.
ALTER TABLE "api_tokens" ADD COLUMN "use_recorded_at" TIMESTAMPTZ(3);
