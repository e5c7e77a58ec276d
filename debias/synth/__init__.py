"""A built-in synthetic bias benchmark: procedural 64 x 64 faces and non-faces.

No real face set ships with ``debias``, so the demo and the tests use this generator. Its
training split under-represents dark-skinned faces while dark and light skin-coloured ovals
are equally common among non-faces, so a standard detector trained on it shows a recall gap
on dark faces: the bias the audit should reveal and DB-VAE should reduce.

``make_synthetic_benchmark(..., bias="underrep")`` draws those ovals in colours outside the
hue family of skin instead, so no non-face cue is tied to skin tone and the minority share is
the only source of the gap (the faces and labels are the default's).
"""

from debias.synth._benchmark import is_benchmark, make_synthetic_benchmark
from debias.synth._faces import draw_face
from debias.synth._nonfaces import draw_nonface

__all__ = ["draw_face", "draw_nonface", "is_benchmark", "make_synthetic_benchmark"]
