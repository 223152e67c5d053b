<?php
// php eval.php 'PHP code': runs the code inside WordPress as the admin (what `wp eval` would do).
require __DIR__ . '/cli-bootstrap.php';
wp_set_current_user( 1 );
eval( $argv[1] );
