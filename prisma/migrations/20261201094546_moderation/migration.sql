-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "decision" TEXT NOT NULL DEFAULT 'allow',
ADD COLUMN     "filterHits" JSONB,
ADD COLUMN     "held" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "Flag" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "reason" TEXT NOT NULL,
    "playerId" UUID NOT NULL,
    "playerName" TEXT NOT NULL,
    "roomId" TEXT NOT NULL,
    "matchId" UUID,
    "messageId" UUID,
    "scores" JSONB NOT NULL,
    "filterHits" JSONB NOT NULL,
    "decision" TEXT,
    "evidence" JSONB,
    "assignee" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Flag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModerationAction" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "moderator" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "flagId" UUID,
    "playerId" UUID,
    "note" TEXT NOT NULL DEFAULT '',
    "details" JSONB NOT NULL,

    CONSTRAINT "ModerationAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sanction" (
    "id" UUID NOT NULL,
    "playerId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "until" TIMESTAMP(3),
    "reason" TEXT NOT NULL,
    "by" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "Sanction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Flag_status_severity_createdAt_idx" ON "Flag"("status", "severity", "createdAt");

-- CreateIndex
CREATE INDEX "Flag_playerId_createdAt_idx" ON "Flag"("playerId", "createdAt");

-- CreateIndex
CREATE INDEX "ModerationAction_at_idx" ON "ModerationAction"("at");

-- CreateIndex
CREATE INDEX "ModerationAction_playerId_at_idx" ON "ModerationAction"("playerId", "at");

-- CreateIndex
CREATE INDEX "ModerationAction_flagId_at_idx" ON "ModerationAction"("flagId", "at");

-- CreateIndex
CREATE INDEX "Sanction_playerId_createdAt_idx" ON "Sanction"("playerId", "createdAt");
