from dixian.cli import main

main()
