#!/usr/bin/env bash
# A real WordPress 6.8.8 + WooCommerce 10.0.2 store on loopback for the real-store test suite.
#
#   store.sh up     install what is missing, restore the seeded store, serve it; prints KEY=VALUE lines
#   store.sh down   stop the PHP server (its whole process group)
#   store.sh queue  run Action Scheduler's queue once (the queued webhook deliveries leave at once)
#   store.sh cron   run WP-Cron once (sends nothing within a minute of the last queue run)
#   store.sh reset  stop, drop the suite's database and forget the snapshot (next `up` builds from scratch)
#
# Env: NEUROON_TEST_REAL_WOO_ARCHIVES  folder holding wordpress-6.8.8.tar.xz and woocommerce-10.0.2.tar.xz
#      NEUROON_TEST_REAL_WOO_CACHE     where the unpacked store lives (default <repo>/.cache/real-woocommerce)
#      NEUROON_TEST_REAL_WOO_PORT      the store's port on 127.0.0.1 (default 8089)
#
# The first `up` takes a few minutes (Debian packages when missing, unpacking, installing WordPress,
# importing WooCommerce's sample data); it ends with a dump of the seeded database. Every later `up`
# restores that dump, so each run starts from the same store and a re-run changes nothing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
ARCHIVES="${NEUROON_TEST_REAL_WOO_ARCHIVES:-$REPO/../shared/real-woocommerce}"
CACHE="${NEUROON_TEST_REAL_WOO_CACHE:-$REPO/.cache/real-woocommerce}"
PORT="${NEUROON_TEST_REAL_WOO_PORT:-8089}"
DB=neuroon_realwoo
WP="$CACHE/wp"
STATE="$CACHE/state"
LOGS="$CACHE/logs"
SNAPSHOT="$STATE/seeded.sql"
PGID_FILE="$STATE/php-server.pgid"
WP_ARCHIVE="$ARCHIVES/wordpress-6.8.8.tar.xz"
WC_ARCHIVE="$ARCHIVES/woocommerce-10.0.2.tar.xz"
export REALWOO_DIR="$CACHE" REALWOO_HOSTPORT="127.0.0.1:$PORT"

say() { printf '[real-woo] %s\n' "$*" >&2; }
fail() {
  printf '[real-woo] %s\n' "$*" >&2
  exit 1
}

store_answers() { curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$PORT/wp-json/wc/v3" 2>/dev/null; }

stop_server() {
  if [ -f "$PGID_FILE" ]; then
    # With PHP_CLI_SERVER_WORKERS the workers outlive a killed master: stop the whole group.
    kill -- -"$(cat "$PGID_FILE")" 2>/dev/null || true
    rm -f "$PGID_FILE"
  fi
}

ensure_packages() {
  local modules=""
  command -v php >/dev/null && modules="$(php -m)"
  if grep -qi '^mysqli$' <<<"$modules" && grep -qi '^intl$' <<<"$modules"; then return; fi
  [ "$(id -u)" = 0 ] || fail "PHP 8.2 is missing. Install it: sudo apt-get install php8.2-cli php8.2-mysql php8.2-curl php8.2-xml php8.2-mbstring php8.2-intl php8.2-gd php8.2-zip php8.2-bcmath"
  say "installing PHP 8.2 from Debian's packages (about a minute)"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 php8.2-cli php8.2-mysql php8.2-curl php8.2-xml \
    php8.2-mbstring php8.2-intl php8.2-gd php8.2-zip php8.2-bcmath >/dev/null
}

ensure_database() {
  if ! mysqladmin -uroot ping --silent >/dev/null 2>&1; then
    if ! command -v mariadbd >/dev/null; then
      [ "$(id -u)" = 0 ] || fail "MariaDB is missing. Install and start it: sudo apt-get install mariadb-server && sudo service mariadb start"
      say "installing MariaDB from Debian's packages"
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 mariadb-server >/dev/null
    fi
    say "starting MariaDB"
    (service mariadb start || /etc/init.d/mariadb start) >/dev/null
    for _ in $(seq 1 30); do mysqladmin -uroot ping --silent 2>/dev/null && break; sleep 1; done
  fi
  mysql -uroot <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB'@'localhost' IDENTIFIED BY '$DB';
CREATE USER IF NOT EXISTS '$DB'@'127.0.0.1' IDENTIFIED BY '$DB';
GRANT ALL ON $DB.* TO '$DB'@'localhost';
GRANT ALL ON $DB.* TO '$DB'@'127.0.0.1';
SQL
}

ensure_files() {
  [ -f "$WP_ARCHIVE" ] && [ -f "$WC_ARCHIVE" ] ||
    fail "The store archives are not in $ARCHIVES (wordpress-6.8.8.tar.xz, woocommerce-10.0.2.tar.xz); set NEUROON_TEST_REAL_WOO_ARCHIVES to their folder."
  mkdir -p "$STATE" "$LOGS"
  if [ ! -f "$WP/wp-includes/version.php" ]; then
    say "unpacking WordPress 6.8.8"
    mkdir -p "$WP" && tar -xJf "$WP_ARCHIVE" -C "$WP" --strip-components=1
  fi
  if [ ! -f "$WP/wp-content/plugins/woocommerce/woocommerce.php" ]; then
    say "unpacking WooCommerce 10.0.2"
    mkdir -p "$WP/wp-content/plugins/woocommerce"
    tar -xJf "$WC_ARCHIVE" -C "$WP/wp-content/plugins/woocommerce" --strip-components=1
  fi
  if [ ! -f "$WP/wp-config.php" ]; then
    php "$HERE/php/write-config.php" "$HERE/php/wp-config.template.php" "$CACHE" "$DB" >"$WP/wp-config.php"
  fi
  mkdir -p "$WP/wp-content/uploads" "$WP/wp-content/mu-plugins"
  cp "$HERE/php/neuroon-test-rest-log.php" "$HERE/php/neuroon-test-queue.php" "$WP/wp-content/mu-plugins/"
}

seed_or_restore() {
  if [ -f "$SNAPSHOT" ]; then
    mysql -uroot "$DB" <"$SNAPSHOT"
    php "$HERE/php/install-wp.php" >/dev/null
    return
  fi
  say "installing WordPress and WooCommerce, importing the sample data (a few minutes, once)"
  php "$HERE/php/install-wp.php"
  php "$HERE/php/activate-wc.php"
  php "$HERE/php/configure-wc.php"
  mysqldump -uroot --single-transaction "$DB" >"$SNAPSHOT.tmp" && mv "$SNAPSHOT.tmp" "$SNAPSHOT"
}

start_server() {
  say "serving http://127.0.0.1:$PORT"
  (
    cd "$WP"
    PHP_CLI_SERVER_WORKERS=4 exec setsid php -d memory_limit=512M -S "127.0.0.1:$PORT" -t "$WP" "$HERE/php/router.php" \
      >"$LOGS/php-server.log" 2>&1 </dev/null
  ) &
  # setsid makes the server its own process group leader: its pid is the group id.
  echo $! >"$PGID_FILE"
  for _ in $(seq 1 60); do store_answers && return; sleep 0.5; done
  fail "the store did not answer on http://127.0.0.1:$PORT (see $LOGS/php-server.log)"
}

cmd="${1:-}"
case "$cmd" in
  up)
    ensure_packages
    ensure_database
    ensure_files
    stop_server
    seed_or_restore
    start_server
    . "$STATE/keys.env"
    echo "URL=http://127.0.0.1:$PORT"
    echo "CONSUMER_KEY=$WOOCOMMERCE_CONSUMER_KEY"
    echo "CONSUMER_SECRET=$WOOCOMMERCE_CONSUMER_SECRET"
    echo "STATE_DIR=$STATE"
    echo "LOG_DIR=$LOGS"
    ;;
  down) stop_server ;;
  queue)
    curl -fsS --max-time 120 "http://127.0.0.1:$PORT/?neuroon-test-run-queue"
    echo
    ;;
  cron) curl -fsS -o /dev/null --max-time 120 "http://127.0.0.1:$PORT/wp-cron.php" ;;
  reset)
    stop_server
    mysql -uroot -e "DROP DATABASE IF EXISTS $DB"
    rm -rf "$WP/wp-config.php" "$WP/wp-content/uploads" "$STATE"
    ;;
  *) fail "usage: store.sh up|down|queue|cron|reset" ;;
esac
