import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Per-product sync rows and conversion rows moved to core's change queue and sync state; the
 * nightly reconcile re-sends whatever the dropped rows still had pending.
 */
export class Migration20261205220000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop table if exists "neuroon_product_sync" cascade;`);
    this.addSql(`drop table if exists "neuroon_conversion" cascade;`);
  }

  override async down(): Promise<void> {
    // The dropped rows cannot be restored, and the queue and state that replace them live elsewhere.
  }
}
