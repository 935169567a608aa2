from tactful.cli import main

main(prog_name="tactful")
