from peacetrack.cli import main

main()
