from pingyi.cli import main

main()
