<?php
define( 'DB_NAME', '@@DB@@' );
define( 'DB_USER', '@@DB@@' );
define( 'DB_PASSWORD', '@@DB@@' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
@@SALTS@@
$table_prefix = 'wp_';
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', '@@CACHE@@/logs/wp-debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
// Loopback only: WordPress refuses every outgoing request except to its own host (and ports 80/443/8080).
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
// WP-Cron runs only when the suite requests /wp-cron.php, as a system cron would: deliveries leave when a test says so.
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'FS_METHOD', 'direct' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
