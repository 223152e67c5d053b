<?php
// Loads WordPress from the CLI (there is no WP-CLI) as a request to the store home URL.
$_SERVER['HTTP_HOST']   = getenv( 'REALWOO_HOSTPORT' ) ?: '127.0.0.1:8089';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = explode( ':', $_SERVER['HTTP_HOST'] )[1] ?? '80';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
if ( ! defined( 'WP_INSTALLING' ) && getenv( 'REALWOO_INSTALLING' ) ) {
	define( 'WP_INSTALLING', true );
}
require getenv( 'REALWOO_DIR' ) . '/wp/wp-load.php';
