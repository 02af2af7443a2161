from hoquiz.cli import main

main()
