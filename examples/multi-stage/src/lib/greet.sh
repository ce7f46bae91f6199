greet() { echo "$1"; }
