"""Reading inputs into Documents: files, folders, standard input; ids and duplicates."""
