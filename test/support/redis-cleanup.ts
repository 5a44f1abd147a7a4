import { Redis } from 'ioredis';

/** Deletes every key a test run created under its own prefix. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379/0');
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}
