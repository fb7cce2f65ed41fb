from clverify.proofs_check.cli import main

main(prog_name="clverify")
