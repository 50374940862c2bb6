-- CreateTable
CREATE TABLE "Account" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMP(3),

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "RuleSetVersion" (
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "ruleSet" JSONB NOT NULL,
    "author" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuleSetVersion_pkey" PRIMARY KEY ("version")
);

-- CreateTable
CREATE TABLE "RuleSetPublish" (
    "id" SERIAL NOT NULL,
    "version" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuleSetPublish_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DirectorSample" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "roomId" TEXT NOT NULL,
    "matchId" UUID NOT NULL,
    "ruleSetVersion" INTEGER NOT NULL,
    "inputs" JSONB NOT NULL,
    "knobs" JSONB NOT NULL,

    CONSTRAINT "DirectorSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DirectorDecision" (
    "id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "roomId" TEXT NOT NULL,
    "matchId" UUID NOT NULL,
    "playerId" UUID,
    "ruleSetVersion" INTEGER NOT NULL,
    "ruleId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "inputs" JSONB NOT NULL,
    "changes" JSONB NOT NULL,
    "recommendation" JSONB,

    CONSTRAINT "DirectorDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Recommendation" (
    "id" UUID NOT NULL,
    "playerId" UUID NOT NULL,
    "matchId" UUID NOT NULL,
    "roomId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT,
    "message" TEXT NOT NULL,
    "decisionId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "outcome" TEXT,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Recommendation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlayerProfile" (
    "playerId" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "loadout" TEXT NOT NULL,
    "style" JSONB NOT NULL,
    "difficulty" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PlayerProfile_pkey" PRIMARY KEY ("playerId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_username_key" ON "Account"("username");

-- CreateIndex
CREATE INDEX "RuleSetPublish_publishedAt_idx" ON "RuleSetPublish"("publishedAt");

-- CreateIndex
CREATE INDEX "DirectorSample_at_idx" ON "DirectorSample"("at");

-- CreateIndex
CREATE INDEX "DirectorSample_matchId_at_idx" ON "DirectorSample"("matchId", "at");

-- CreateIndex
CREATE INDEX "DirectorDecision_at_idx" ON "DirectorDecision"("at");

-- CreateIndex
CREATE INDEX "DirectorDecision_playerId_at_idx" ON "DirectorDecision"("playerId", "at");

-- CreateIndex
CREATE INDEX "DirectorDecision_ruleId_at_idx" ON "DirectorDecision"("ruleId", "at");

-- CreateIndex
CREATE INDEX "Recommendation_playerId_createdAt_idx" ON "Recommendation"("playerId", "createdAt");

-- CreateIndex
CREATE INDEX "Recommendation_createdAt_idx" ON "Recommendation"("createdAt");

-- AddForeignKey
ALTER TABLE "RuleSetPublish" ADD CONSTRAINT "RuleSetPublish_version_fkey" FOREIGN KEY ("version") REFERENCES "RuleSetVersion"("version") ON DELETE RESTRICT ON UPDATE CASCADE;
