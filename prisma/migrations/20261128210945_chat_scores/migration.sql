-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "scoredBy" TEXT,
ADD COLUMN     "sentimentNegative" DOUBLE PRECISION,
ADD COLUMN     "sentimentNeutral" DOUBLE PRECISION,
ADD COLUMN     "sentimentPositive" DOUBLE PRECISION,
ADD COLUMN     "toxicity" DOUBLE PRECISION;
