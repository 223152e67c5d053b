<?php
// php write-config.php TEMPLATE CACHE_DIR DB_NAME: wp-config.php with fresh salts on stdout.
[ , $template, $cache, $db ] = $argv;
$salts = '';
foreach ( array( 'AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT' ) as $k ) {
	$salts .= "define( '$k', '" . bin2hex( random_bytes( 32 ) ) . "' );\n";
}
echo strtr( file_get_contents( $template ), array( '@@SALTS@@' => $salts, '@@CACHE@@' => $cache, '@@DB@@' => $db ) );
