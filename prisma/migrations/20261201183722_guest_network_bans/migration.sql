-- AlterTable
ALTER TABLE "Player" ADD COLUMN     "networkKey" TEXT;

-- AlterTable
ALTER TABLE "Sanction" ADD COLUMN     "networkKey" TEXT,
ADD COLUMN     "networkUntil" TIMESTAMP(3);
