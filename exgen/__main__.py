from exgen.cli import app

app(prog_name="exgen")
