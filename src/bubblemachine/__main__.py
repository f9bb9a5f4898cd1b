from bubblemachine.cli import main

main()
