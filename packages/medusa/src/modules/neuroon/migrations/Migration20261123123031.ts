import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261123123031 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table if exists "neuroon_product_sync" drop constraint if exists "neuroon_product_sync_product_id_unique";`,
    );
    this.addSql(
      `alter table if exists "neuroon_conversion" drop constraint if exists "neuroon_conversion_order_id_unique";`,
    );
    this.addSql(
      `create table if not exists "neuroon_conversion" ("id" text not null, "order_id" text not null, "status" text check ("status" in ('pending', 'sent', 'skipped', 'failed', 'dead')) not null default 'pending', "attempts" integer not null default 0, "last_error" text null, "next_attempt_at" timestamptz null, "payload" jsonb null, "sent_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "neuroon_conversion_pkey" primary key ("id"));`,
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_neuroon_conversion_deleted_at" ON "neuroon_conversion" ("deleted_at") WHERE deleted_at IS NULL;`,
    );
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS "IDX_neuroon_conversion_order_id_unique" ON "neuroon_conversion" ("order_id") WHERE deleted_at IS NULL;`,
    );

    this.addSql(
      `create table if not exists "neuroon_product_sync" ("id" text not null, "product_id" text not null, "status" text check ("status" in ('pending', 'synced', 'deleted', 'skipped', 'failed', 'dead')) not null default 'pending', "attempts" integer not null default 0, "last_error" text null, "next_attempt_at" timestamptz null, "content_hash" text null, "last_synced_at" timestamptz null, "origin" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "neuroon_product_sync_pkey" primary key ("id"));`,
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_neuroon_product_sync_deleted_at" ON "neuroon_product_sync" ("deleted_at") WHERE deleted_at IS NULL;`,
    );
    this.addSql(
      `CREATE UNIQUE INDEX IF NOT EXISTS "IDX_neuroon_product_sync_product_id_unique" ON "neuroon_product_sync" ("product_id") WHERE deleted_at IS NULL;`,
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_neuroon_product_sync_status_next_attempt_at" ON "neuroon_product_sync" ("status", "next_attempt_at") WHERE deleted_at IS NULL;`,
    );

    this.addSql(
      `create table if not exists "neuroon_sync_run" ("id" text not null, "kind" text check ("kind" in ('full', 'reconcile')) not null, "status" text check ("status" in ('running', 'completed', 'failed')) not null default 'running', "started_at" timestamptz not null, "finished_at" timestamptz null, "upserted" integer not null default 0, "deleted" integer not null default 0, "failed" integer not null default 0, "error" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "neuroon_sync_run_pkey" primary key ("id"));`,
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS "IDX_neuroon_sync_run_deleted_at" ON "neuroon_sync_run" ("deleted_at") WHERE deleted_at IS NULL;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "neuroon_conversion" cascade;`);

    this.addSql(`drop table if exists "neuroon_product_sync" cascade;`);

    this.addSql(`drop table if exists "neuroon_sync_run" cascade;`);
  }
}
