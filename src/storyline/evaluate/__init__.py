"""Evaluation of Storyline's layers against annotated corpora.

* `storyline.evaluate.ecbplus` reads the ECB+ corpus (documents, tokens, sentences, event
  and entity mentions, coreference clusters) straight from its archive or a folder.
* `storyline.evaluate.entities` scores predicted person, organization, place and time
  spans against the ECB+ gold mentions; `python -m storyline.evaluate.entities --help`
  runs the bare spaCy baseline.

The submodules are not imported here, so running one of them with `python -m` does not
import it twice.
"""
