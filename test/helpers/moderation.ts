import type { PrismaClient } from '../../server/src/generated/prisma/client.js';
import { ChatStore } from '../../server/src/moderation/chatStore.js';
import { localLiveEffects } from '../../server/src/moderation/liveEffects.js';
import { Moderation } from '../../server/src/moderation/moderation.js';
import { Sanctions } from '../../server/src/moderation/sanctions.js';

/** Moderation on one process, as `main.ts` builds it without Redis: its own chat store and sanctions. */
export async function localModeration(prisma: PrismaClient): Promise<Moderation> {
  return new Moderation(prisma, new ChatStore(prisma), await Sanctions.open(prisma), localLiveEffects);
}
