import { rmSync } from "node:fs";
import { DatabaseSync, type StatementSync } from "node:sqlite";

/** Where each product id of a feed was first seen: finds repeated ids and names the line of a refusal. */
export interface FeedLineIndex {
  /** Records `externalId` at `line`; returns the line it was first seen at when it is a repeat. */
  claim(externalId: string, line: number): number | undefined;
  /** The line `externalId` was first seen at. */
  lineOf(externalId: string): number | undefined;
  /** Every id claimed, in pages of at most `size`, in no particular order. */
  pages(size: number): Iterable<string[]>;
  close(): void;
}

/** An in-memory index: for the short passes that re-read a feed. */
export function createMemoryLineIndex(): FeedLineIndex {
  const lines = new Map<string, number>();
  return {
    claim(externalId, line) {
      const first = lines.get(externalId);
      if (first === undefined) lines.set(externalId, line);
      return first;
    },
    lineOf: (externalId) => lines.get(externalId),
    *pages(size) {
      let page: string[] = [];
      for (const id of lines.keys()) {
        page.push(id);
        if (page.length >= size) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    },
    close: () => lines.clear(),
  };
}

/** Claims written per transaction: one commit per claim would make a 1M-line feed crawl. */
const CLAIMS_PER_TRANSACTION = 5_000;

/**
 * An index in a scratch SQLite file, so a feed of millions of lines does not hold millions of ids
 * in memory (a `Map` of 1,000,000 ids costs some 100 MB). The file is deleted on `close()`. It is
 * scratch data, rebuilt by every run, so it is written without a journal or fsync.
 */
export function openFileLineIndex(path: string): FeedLineIndex {
  rmSync(path, { force: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = OFF");
  db.exec("PRAGMA synchronous = OFF");
  db.exec("CREATE TABLE feed_lines (id TEXT PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID");
  const insert: StatementSync = db.prepare(
    "INSERT INTO feed_lines (id, line) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
  );
  const select: StatementSync = db.prepare("SELECT line FROM feed_lines WHERE id = ?");
  const page: StatementSync = db.prepare(
    "SELECT id FROM feed_lines WHERE id > ? ORDER BY id LIMIT ?",
  );
  let pendingClaims = 0;
  const commit = () => {
    if (pendingClaims > 0) db.exec("COMMIT");
    pendingClaims = 0;
  };
  const lineOf = (externalId: string): number | undefined => {
    commit();
    const row = select.get(externalId) as { line: number } | undefined;
    return row?.line;
  };
  return {
    claim(externalId, line) {
      if (pendingClaims === 0) db.exec("BEGIN");
      pendingClaims += 1;
      const { changes } = insert.run(externalId, line);
      const first =
        changes === 0 ? (select.get(externalId) as { line: number } | undefined)?.line : undefined;
      if (pendingClaims >= CLAIMS_PER_TRANSACTION) commit();
      return first;
    },
    lineOf,
    *pages(size) {
      commit();
      let after = "";
      for (;;) {
        const ids = (page.all(after, size) as { id: string }[]).map((row) => row.id);
        if (ids.length === 0) return;
        yield ids;
        after = ids[ids.length - 1] ?? after;
      }
    },
    close() {
      if (!db.isOpen) return;
      commit();
      db.close();
      rmSync(path, { force: true });
    },
  };
}
