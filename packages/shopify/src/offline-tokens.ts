import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "@neuroon/core";
import { RequestedTokenType, Session, type Shopify } from "@shopify/shopify-api";
import { ShopNotConnectedError } from "./errors.js";

/** A shop's offline access token as persisted. Times are epoch milliseconds. */
export interface StoredOfflineToken {
  shop: string;
  accessToken: string;
  scope?: string;
  /** When the access token dies (≈ 1 h after issue); absent for legacy non-expiring tokens. */
  expiresAt?: number;
  /** Rotates on every refresh: the previous one is dead once a refresh succeeded. */
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
}

/**
 * Where offline tokens live. `save` must replace the record atomically (readers see the old or
 * the new token, never a mix) and `withLock` must exclude every process sharing the store, so two
 * workers never refresh one shop at the same time: the loser would be left with a rotated-out
 * refresh token.
 */
export interface OfflineTokenStore {
  load(shop: string): Promise<StoredOfflineToken | undefined>;
  save(token: StoredOfflineToken): Promise<void>;
  delete(shop: string): Promise<void>;
  withLock<T>(shop: string, fn: () => Promise<T>): Promise<T>;
}

/** An in-process store (tests, single-process apps). */
export function createMemoryOfflineTokenStore(): OfflineTokenStore {
  const tokens = new Map<string, StoredOfflineToken>();
  const locks = new Map<string, Promise<unknown>>();
  return {
    load: async (shop) => {
      const token = tokens.get(shop);
      return token ? { ...token } : undefined;
    },
    save: async (token) => {
      tokens.set(token.shop, { ...token });
    },
    delete: async (shop) => {
      tokens.delete(shop);
    },
    withLock: async (shop, fn) => {
      const previous = locks.get(shop) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      const tail = run.catch(() => undefined);
      locks.set(shop, tail);
      try {
        return await run;
      } finally {
        if (locks.get(shop) === tail) locks.delete(shop);
      }
    },
  };
}

/** Options of {@link createFileOfflineTokenStore}. */
export interface FileOfflineTokenStoreOptions {
  /** Directory holding one `<shop>.json` per shop (created when missing, mode 0700). */
  directory: string;
  /** A lock file older than this is considered left by a crashed process. Default 30 s. */
  staleLockMs?: number;
  /** Poll interval while waiting for another process's lock. Default 25 ms. */
  lockPollMs?: number;
}

const SHOP_FILE_PATTERN = /^[a-z0-9][a-z0-9.-]{0,250}$/;

function shopFileName(shop: string): string {
  if (!SHOP_FILE_PATTERN.test(shop) || shop.includes("..")) {
    throw new TypeError(
      `Expected a shop domain like example.myshopify.com, received ${JSON.stringify(shop.slice(0, 80))}`,
    );
  }
  return shop;
}

/**
 * A store in a local directory, safe across processes on one machine: writes go to a temporary
 * file that is fsynced and then renamed over the record (atomic on POSIX), and the refresh lock
 * is an exclusively created lock file.
 */
export function createFileOfflineTokenStore(
  options: FileOfflineTokenStoreOptions,
): OfflineTokenStore {
  const { directory } = options;
  const staleLockMs = options.staleLockMs ?? 30_000;
  const lockPollMs = options.lockPollMs ?? 25;
  const ready = mkdir(directory, { recursive: true, mode: 0o700 });
  const pathOf = (shop: string): string => join(directory, `${shopFileName(shop)}.json`);

  return {
    async load(shop) {
      await ready;
      try {
        return JSON.parse(await readFile(pathOf(shop), "utf8")) as StoredOfflineToken;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async save(token) {
      await ready;
      const target = pathOf(token.shop);
      const temporary = `${target}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
      const handle = await open(temporary, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify(token));
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await rename(temporary, target);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      const dir = await open(directory, "r");
      try {
        await dir.sync();
      } catch {
        // Some filesystems refuse fsync on directories; the rename itself is still atomic.
      } finally {
        await dir.close();
      }
    },
    async delete(shop) {
      await ready;
      await rm(pathOf(shop), { force: true });
    },
    async withLock(shop, fn) {
      await ready;
      const lockPath = join(directory, `${shopFileName(shop)}.lock`);
      for (;;) {
        try {
          const handle = await open(lockPath, "wx", 0o600);
          await handle.writeFile(String(process.pid));
          await handle.close();
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
          const info = await stat(lockPath).catch(() => undefined);
          if (info && Date.now() - info.mtimeMs > staleLockMs) await rm(lockPath, { force: true });
          else await sleep(lockPollMs);
        }
      }
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    },
  };
}

/** Options of {@link createOfflineTokens}. */
export interface OfflineTokensOptions {
  /** The app's `shopifyApi(...)` instance. */
  shopify: Shopify;
  store: OfflineTokenStore;
  /** Refresh when the access token has less than this left. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Offline (background) access to shops, on expiring offline tokens. */
export interface OfflineTokens {
  /**
   * Exchanges an App Bridge session token for an **expiring** offline token (token exchange,
   * Shopify managed installation) and persists it.
   */
  install(input: { shop: string; sessionToken: string }): Promise<StoredOfflineToken>;
  /** Persists an offline session obtained elsewhere (OAuth callback, a framework's afterAuth hook). */
  adopt(session: Session): Promise<StoredOfflineToken>;
  /** A session whose access token is valid for at least the refresh margin; refreshes when needed. */
  getSession(shop: string): Promise<Session>;
  /**
   * Refreshes after Shopify refused `staleAccessToken` (401). A no-op when another worker already
   * replaced that token.
   */
  refreshAfterRejection(shop: string, staleAccessToken: string): Promise<Session>;
  /** Forgets the shop (uninstall). */
  remove(shop: string): Promise<void>;
}

/**
 * The library turns `expires_in` into a date with the system clock; re-base it on `now` so an
 * injected clock (tests, a corrected time source) sees the same remaining lifetime.
 */
function fromSession(session: Session, now: () => number): StoredOfflineToken {
  if (!session.accessToken) {
    throw new TypeError(`Offline session for ${session.shop} has no access token`);
  }
  const skewMs = now() - Date.now();
  return {
    shop: session.shop,
    accessToken: session.accessToken,
    ...(session.scope ? { scope: session.scope } : {}),
    ...(session.expires ? { expiresAt: session.expires.getTime() + skewMs } : {}),
    ...(session.refreshToken ? { refreshToken: session.refreshToken } : {}),
    ...(session.refreshTokenExpires
      ? { refreshTokenExpiresAt: session.refreshTokenExpires.getTime() + skewMs }
      : {}),
  };
}

/**
 * Expiring offline tokens done safely: the access token is refreshed ahead of expiry, one refresh
 * per shop at a time (in-process single flight plus the store's cross-process lock), the record
 * is re-read under the lock so a worker that lost the race uses the winner's token, and the new
 * access and refresh tokens are saved in one atomic write before anyone uses them.
 */
export function createOfflineTokens(options: OfflineTokensOptions): OfflineTokens {
  const { shopify, store } = options;
  const refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, Promise<Session>>();

  const toSession = (token: StoredOfflineToken): Session =>
    new Session({
      id: shopify.session.getOfflineId(token.shop),
      shop: token.shop,
      state: "",
      isOnline: false,
      accessToken: token.accessToken,
      ...(token.scope ? { scope: token.scope } : {}),
      ...(token.expiresAt ? { expires: new Date(token.expiresAt) } : {}),
      ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
      ...(token.refreshTokenExpiresAt
        ? { refreshTokenExpires: new Date(token.refreshTokenExpiresAt) }
        : {}),
    });
  const isFresh = (token: StoredOfflineToken): boolean =>
    token.expiresAt === undefined || token.expiresAt - now() > refreshMarginMs;

  const refresh = (shop: string, stale: string | undefined): Promise<Session> => {
    const running = inFlight.get(shop);
    if (running) return running;
    const work = store
      .withLock(shop, async () => {
        const current = await store.load(shop);
        if (!current) throw new ShopNotConnectedError(shop, "no offline token stored");
        // Another worker refreshed while we waited for the lock: use its token.
        if (current.accessToken !== stale && isFresh(current)) return toSession(current);
        if (!current.refreshToken)
          throw new ShopNotConnectedError(
            shop,
            "the access token expired and there is no refresh token",
          );
        if (current.refreshTokenExpiresAt !== undefined && current.refreshTokenExpiresAt <= now()) {
          throw new ShopNotConnectedError(shop, "the refresh token expired");
        }
        let session: Session;
        try {
          ({ session } = await shopify.auth.refreshToken({
            shop,
            refreshToken: current.refreshToken,
          }));
        } catch (error) {
          const status = (error as { response?: { code?: number } }).response?.code;
          if (status === 400 || status === 401)
            throw new ShopNotConnectedError(shop, "Shopify refused the refresh token", error);
          throw error;
        }
        const next = fromSession(session, now);
        await store.save(next);
        return toSession(next);
      })
      .finally(() => inFlight.delete(shop));
    inFlight.set(shop, work);
    return work;
  };

  return {
    async install({ shop, sessionToken }) {
      const { session } = await shopify.auth.tokenExchange({
        shop,
        sessionToken,
        requestedTokenType: RequestedTokenType.OfflineAccessToken,
        expiring: true,
      });
      const token = fromSession(session, now);
      await store.withLock(token.shop, () => store.save(token));
      return token;
    },
    async adopt(session) {
      const token = fromSession(session, now);
      await store.withLock(token.shop, () => store.save(token));
      return token;
    },
    async getSession(shop) {
      const token = await store.load(shop);
      if (!token) throw new ShopNotConnectedError(shop, "no offline token stored");
      return isFresh(token) ? toSession(token) : refresh(shop, token.accessToken);
    },
    refreshAfterRejection: (shop, staleAccessToken) => refresh(shop, staleAccessToken),
    async remove(shop) {
      await store.withLock(shop, () => store.delete(shop));
    },
  };
}
