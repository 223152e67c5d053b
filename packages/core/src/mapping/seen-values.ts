/**
 * The values met so far in one of the mapping rules' short lists (a product's labels, the ids on
 * one walk up a category tree). They are scanned in an array while there are few, which costs
 * about half as much as a `Set` made per call, and move to a `Set` past `MAX_SCANNED_VALUES`, so
 * a pathological input stays linear. Values are compared as a `Set` compares them.
 */
export class SeenValues<T> {
  private readonly values: T[] = [];
  private set: Set<T> | undefined;

  has(value: T): boolean {
    return this.set === undefined ? this.values.includes(value) : this.set.has(value);
  }

  add(value: T): void {
    if (this.set !== undefined) this.set.add(value);
    else {
      this.values.push(value);
      if (this.values.length > MAX_SCANNED_VALUES) this.set = new Set(this.values);
    }
  }
}

const MAX_SCANNED_VALUES = 16;
