-- Reserving a sign-in attempt in one round trip (lib/auth/signin-attempts.ts): the same steps the
-- application used to run as an interactive transaction of eight statements. Each statement of a
-- PL/pgSQL function takes a fresh snapshot under READ COMMITTED, so the counts below see every
-- attempt committed by whoever held the advisory lock before us: concurrent tries still queue on
-- the per-username lock, then the per-address lock (always in this order: no deadlock), and cannot
-- slip past the cap.
CREATE FUNCTION "berth_reserve_signin"(
    p_user TEXT, p_address TEXT, p_limit_user BOOLEAN, p_max_user INTEGER, p_max_address INTEGER, p_window_ms BIGINT
) RETURNS TABLE ("attempt_id" BIGINT, "refused" TEXT, "retry_after_ms" BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now TIMESTAMPTZ;
    v_window_start TIMESTAMPTZ;
    v_since TIMESTAMPTZ;
    v_count INTEGER;
    v_oldest TIMESTAMPTZ;
    v_id BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('signin:user:' || p_user));
    IF p_address IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('signin:addr:' || p_address));
    END IF;
    v_now := clock_timestamp();
    v_window_start := v_now - p_window_ms * INTERVAL '1 millisecond';
    IF p_limit_user THEN
        SELECT max("at") INTO v_since FROM "signin_attempts" WHERE "username" = p_user AND "outcome" = 'success';
        IF v_since IS NULL OR v_since <= v_window_start THEN
            v_since := v_window_start;
        END IF;
        SELECT count(*), min("at") INTO v_count, v_oldest FROM "signin_attempts"
            WHERE "username" = p_user AND "outcome" IN ('failed', 'pending') AND "at" > v_since;
        IF v_count >= p_max_user THEN
            RETURN QUERY SELECT NULL::BIGINT, 'user_locked'::TEXT,
                (EXTRACT(EPOCH FROM (v_oldest - v_now)) * 1000)::BIGINT + p_window_ms;
            RETURN;
        END IF;
    END IF;
    IF p_address IS NOT NULL THEN
        SELECT count(*), min("at") INTO v_count, v_oldest FROM "signin_attempts"
            WHERE "address" = p_address AND "outcome" IN ('failed', 'pending') AND "at" > v_window_start;
        IF v_count >= p_max_address THEN
            RETURN QUERY SELECT NULL::BIGINT, 'address_limited'::TEXT,
                (EXTRACT(EPOCH FROM (v_oldest - v_now)) * 1000)::BIGINT + p_window_ms;
            RETURN;
        END IF;
    END IF;
    INSERT INTO "signin_attempts" ("username", "address", "outcome") VALUES (p_user, p_address, 'pending') RETURNING "id" INTO v_id;
    RETURN QUERY SELECT v_id, NULL::TEXT, NULL::BIGINT;
END;
$$;
