/**
 * Lazy lists over paged endpoints (house style rule 17): `await list` gives the first page,
 * `for await (const item of list)` walks every item, `list.pages()` walks pages. Nothing is
 * fetched until one of them is used, and no page is fetched twice by concurrent readers.
 */

/** One fetched page and where the next one starts (`undefined` after the last page). */
export interface FetchedPage<TItem, TPage, TCursor> {
  page: TPage;
  items: readonly TItem[];
  next: TCursor | undefined;
}

/** Fetches the page at `cursor`. */
export type PageFetcher<TItem, TPage, TCursor> = (
  cursor: TCursor,
) => Promise<FetchedPage<TItem, TPage, TCursor>>;

/** Awaitable first page, async iterable items, and `.pages()`. */
export class PageList<TItem, TPage, TCursor = unknown>
  implements PromiseLike<TPage>, AsyncIterable<TItem>
{
  readonly #fetchPage: PageFetcher<TItem, TPage, TCursor>;
  readonly #start: TCursor;
  #first: Promise<FetchedPage<TItem, TPage, TCursor>> | undefined;

  constructor(start: TCursor, fetchPage: PageFetcher<TItem, TPage, TCursor>) {
    this.#start = start;
    this.#fetchPage = fetchPage;
  }

  /** Resolves with the first page (fetched once, then shared with the iterators). */
  // biome-ignore lint/suspicious/noThenProperty: being awaitable is this object's purpose.
  then<TResult1 = TPage, TResult2 = never>(
    onFulfilled?: ((page: TPage) => TResult1 | PromiseLike<TResult1>) | null,
    onRejected?: ((reason: unknown) => TResult2 | PromiseLike<TResult2>) | null,
  ): Promise<TResult1 | TResult2> {
    return this.#firstPage()
      .then((fetched) => fetched.page)
      .then(onFulfilled, onRejected);
  }

  /** Every page in order, starting with the first. */
  async *pages(): AsyncGenerator<TPage, void, undefined> {
    let fetched = await this.#firstPage();
    while (true) {
      yield fetched.page;
      if (fetched.next === undefined) return;
      fetched = await this.#fetchPage(fetched.next);
    }
  }

  /** Every item of every page, in order. */
  [Symbol.asyncIterator](): AsyncIterator<TItem> {
    return new ItemIterator<TItem, TPage, TCursor>(() => this.#firstPage(), this.#fetchPage);
  }

  /**
   * Collects items up to `limit` (required so a whole catalog is never loaded by accident).
   */
  async toArray({ limit }: { limit: number }): Promise<TItem[]> {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new RangeError(`toArray({ limit }) needs an integer >= 0, received ${limit}.`);
    }
    const items: TItem[] = [];
    if (limit === 0) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= limit) break;
    }
    return items;
  }

  #firstPage(): Promise<FetchedPage<TItem, TPage, TCursor>> {
    if (!this.#first) {
      this.#first = this.#fetchPage(this.#start);
      // A failed first fetch is not cached, so awaiting again retries it.
      this.#first.catch(() => {
        this.#first = undefined;
      });
    }
    return this.#first;
  }
}

/**
 * Item iterator with one shared in-flight page fetch: concurrent `next()` calls wait for the
 * same page and then take consecutive items, so no page is skipped or fetched twice.
 */
class ItemIterator<TItem, TPage, TCursor> implements AsyncIterator<TItem> {
  readonly #loadFirst: () => Promise<FetchedPage<TItem, TPage, TCursor>>;
  readonly #fetchPage: PageFetcher<TItem, TPage, TCursor>;
  #buffer: TItem[] = [];
  #started = false;
  #nextCursor: TCursor | undefined;
  #finished = false;
  #inFlight: Promise<void> | undefined;

  constructor(
    loadFirst: () => Promise<FetchedPage<TItem, TPage, TCursor>>,
    fetchPage: PageFetcher<TItem, TPage, TCursor>,
  ) {
    this.#loadFirst = loadFirst;
    this.#fetchPage = fetchPage;
  }

  async next(): Promise<IteratorResult<TItem, undefined>> {
    while (true) {
      const item = this.#buffer.shift();
      if (item !== undefined) return { done: false, value: item };
      if (this.#finished) return { done: true, value: undefined };
      this.#inFlight ??= this.#load().finally(() => {
        this.#inFlight = undefined;
      });
      await this.#inFlight;
    }
  }

  async return(): Promise<IteratorResult<TItem, undefined>> {
    this.#finished = true;
    this.#buffer = [];
    return { done: true, value: undefined };
  }

  async #load(): Promise<void> {
    let fetched: FetchedPage<TItem, TPage, TCursor>;
    if (!this.#started) {
      fetched = await this.#loadFirst();
      this.#started = true;
    } else if (this.#nextCursor !== undefined) {
      fetched = await this.#fetchPage(this.#nextCursor);
    } else {
      this.#finished = true;
      return;
    }
    if (this.#finished) return;
    this.#buffer.push(...fetched.items);
    this.#nextCursor = fetched.next;
    if (fetched.next === undefined) this.#finished = true;
  }
}
