-- CreateTable
CREATE TABLE "signin_attempts" (
    "id" BIGSERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "address" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL,

    CONSTRAINT "signin_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "signin_attempts_username_at_idx" ON "signin_attempts"("username", "at");

-- CreateIndex
CREATE INDEX "signin_attempts_address_at_idx" ON "signin_attempts"("address", "at");
