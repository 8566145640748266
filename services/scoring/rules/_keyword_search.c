/* Keyword search over a call's turn texts: an Aho-Corasick automaton run in C, with the
 * whole-word checks of keywords.py, reading each turn's normalised text and word edges where
 * they are (no joined copy) and returning the matches already grouped by owner.
 *
 * It is the hot loop of keyword matching, and nothing else: the automaton is built in
 * Python (keywords.py, _native) and handed over as flat tables, which the constructor
 * checks so that no table can send the search outside another, or round a loop of failure
 * links. Where this module is not built (no C compiler at install time), keywords.py
 * searches with pyahocorasick instead; tests check that both find the same.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* How a keyword's first or last character is checked (keywords.py: _CUT, _WORD, _FREE). */
enum { EDGE_CUT = 0, EDGE_WORD = 1, EDGE_FREE = 2 };

typedef struct {
    PyObject_HEAD
    Py_ssize_t n_states, n_keys, n_owners;
    Py_ssize_t *trans_start; /* state s's transitions: trans_start[s] .. trans_start[s+1] */
    Py_UCS4 *trans_char;     /* sorted within a state, for a binary search */
    Py_ssize_t *trans_next;
    Py_ssize_t *fail;        /* the longest proper suffix that is a state */
    Py_ssize_t *out_start;   /* keys ending at state s: out_start[s] .. out_start[s+1] */
    Py_ssize_t *out_key;     /* longest first */
    Py_ssize_t *key_len;
    unsigned char *start_kind, *end_kind;
    Py_ssize_t *own_start;   /* who asked for key k: own_start[k] .. own_start[k+1] */
    Py_ssize_t *own_slot;    /* an owner's number, 0 .. n_owners - 1 */
    PyObject **own_term;     /* the term the key says for that owner (a str, owned here) */
    PyObject *owners;        /* a tuple: the owner of each slot */
    /* Which characters of the Basic Multilingual Plane start a key: most characters of a
     * text start none, and the root skips them with one bit test. */
    unsigned char starts_key[0x10000 / 8];
    int ready;               /* built, every table checked */
} Automaton;

static void *
table(Py_ssize_t n, size_t size)
{
    return PyMem_Calloc(n > 0 ? (size_t)n : 1, size);
}

/* Copies a sequence of integers in [low, high) into a new table; NULL with an error set. */
static Py_ssize_t *
read_indexes(PyObject *seq, const char *name, Py_ssize_t length, Py_ssize_t low, Py_ssize_t high)
{
    PyObject *fast = PySequence_Fast(seq, name);
    if (fast == NULL)
        return NULL;
    if (PySequence_Fast_GET_SIZE(fast) != length) {
        PyErr_Format(PyExc_ValueError, "%s: %zd entries, expected %zd", name,
                     PySequence_Fast_GET_SIZE(fast), length);
        Py_DECREF(fast);
        return NULL;
    }
    Py_ssize_t *out = table(length, sizeof(Py_ssize_t));
    if (out == NULL) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_ssize_t v = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(fast, i));
        if (v == -1 && PyErr_Occurred()) {
            PyMem_Free(out);
            Py_DECREF(fast);
            return NULL;
        }
        if (v < low || v >= high) {
            PyErr_Format(PyExc_ValueError, "%s[%zd] = %zd is outside [%zd, %zd)", name, i, v,
                         low, high);
            PyMem_Free(out);
            Py_DECREF(fast);
            return NULL;
        }
        out[i] = v;
    }
    Py_DECREF(fast);
    return out;
}

/* Whether the ranges start[i] .. start[i+1] run in order from 0 to total. */
static int
check_ranges(const Py_ssize_t *start, Py_ssize_t n, Py_ssize_t total, const char *name)
{
    if (start[0] != 0 || start[n] != total) {
        PyErr_Format(PyExc_ValueError, "%s must run from 0 to %zd", name, total);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (start[i] > start[i + 1]) {
            PyErr_Format(PyExc_ValueError, "%s[%zd] > %s[%zd]", name, i, name, i + 1);
            return -1;
        }
    }
    return 0;
}

static void
Automaton_dealloc(Automaton *self)
{
    if (self->own_term != NULL) {
        Py_ssize_t n = self->own_start != NULL ? self->own_start[self->n_keys] : 0;
        for (Py_ssize_t i = 0; i < n; i++)
            Py_XDECREF(self->own_term[i]);
    }
    PyMem_Free(self->trans_start);
    PyMem_Free(self->trans_char);
    PyMem_Free(self->trans_next);
    PyMem_Free(self->fail);
    PyMem_Free(self->out_start);
    PyMem_Free(self->out_key);
    PyMem_Free(self->key_len);
    PyMem_Free(self->start_kind);
    PyMem_Free(self->end_kind);
    PyMem_Free(self->own_start);
    PyMem_Free(self->own_slot);
    PyMem_Free(self->own_term);
    Py_XDECREF(self->owners);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
read_kinds(PyObject *seq, const char *name, Py_ssize_t n, unsigned char **out)
{
    Py_ssize_t *kinds = read_indexes(seq, name, n, EDGE_CUT, EDGE_FREE + 1);
    if (kinds == NULL)
        return -1;
    *out = table(n, 1);
    if (*out == NULL) {
        PyMem_Free(kinds);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        (*out)[i] = (unsigned char)kinds[i];
    PyMem_Free(kinds);
    return 0;
}

/* Automaton(trans_start, trans_char, trans_next, fail, out_start, out_key, key_len,
 *           start_kind, end_kind, own_start, own_slot, own_term, owners) */
static int
Automaton_init(Automaton *self, PyObject *args, PyObject *kwds)
{
    PyObject *trans_start, *trans_char, *trans_next, *fail, *out_start, *out_key, *key_len;
    PyObject *start_kind, *end_kind, *own_start, *own_slot, *own_term, *owners;
    if (self->owners != NULL) {
        PyErr_SetString(PyExc_TypeError, "an Automaton is built once");
        return -1;
    }
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "Automaton takes positional arguments only");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOOO!:Automaton", &trans_start, &trans_char,
                          &trans_next, &fail, &out_start, &out_key, &key_len, &start_kind,
                          &end_kind, &own_start, &own_slot, &own_term, &PyTuple_Type, &owners))
        return -1;

    Py_ssize_t n_states, n_keys, n_trans, n_out, n_own, n_owners = PyTuple_GET_SIZE(owners);
    if ((n_states = PySequence_Size(fail)) < 0 || (n_keys = PySequence_Size(key_len)) < 0 ||
        (n_trans = PySequence_Size(trans_char)) < 0 || (n_out = PySequence_Size(out_key)) < 0 ||
        (n_own = PySequence_Size(own_slot)) < 0)
        return -1;
    if (n_states < 1) {
        PyErr_SetString(PyExc_ValueError, "an automaton has a root state");
        return -1;
    }
    self->n_states = n_states;
    self->n_keys = n_keys;
    self->n_owners = n_owners;
    Py_INCREF(owners);
    self->owners = owners;

    /* Every index is checked against the table it points into. */
    if ((self->trans_start = read_indexes(trans_start, "trans_start", n_states + 1, 0,
                                          n_trans + 1)) == NULL ||
        check_ranges(self->trans_start, n_states, n_trans, "trans_start") < 0 ||
        (self->trans_next = read_indexes(trans_next, "trans_next", n_trans, 1, n_states)) ==
            NULL ||
        (self->fail = read_indexes(fail, "fail", n_states, 0, n_states)) == NULL ||
        (self->out_start = read_indexes(out_start, "out_start", n_states + 1, 0, n_out + 1)) ==
            NULL ||
        check_ranges(self->out_start, n_states, n_out, "out_start") < 0 ||
        (self->out_key = read_indexes(out_key, "out_key", n_out, 0, n_keys)) == NULL ||
        (self->key_len = read_indexes(key_len, "key_len", n_keys, 1, PY_SSIZE_T_MAX)) ==
            NULL ||
        read_kinds(start_kind, "start_kind", n_keys, &self->start_kind) < 0 ||
        read_kinds(end_kind, "end_kind", n_keys, &self->end_kind) < 0 ||
        (self->own_start = read_indexes(own_start, "own_start", n_keys + 1, 0, n_own + 1)) ==
            NULL ||
        check_ranges(self->own_start, n_keys, n_own, "own_start") < 0 ||
        (self->own_slot = read_indexes(own_slot, "own_slot", n_own, 0, n_owners)) == NULL)
        return -1;
    /* States are numbered breadth first, so a failure link always goes back: following
     * them ends at the root. */
    for (Py_ssize_t s = 0; s < n_states; s++) {
        if (s > 0 ? self->fail[s] >= s : self->fail[s] != 0) {
            PyErr_Format(PyExc_ValueError, "fail[%zd] = %zd does not go back", s, self->fail[s]);
            return -1;
        }
    }

    Py_ssize_t *chars = read_indexes(trans_char, "trans_char", n_trans, 0, 0x110000);
    if (chars == NULL)
        return -1;
    self->trans_char = table(n_trans, sizeof(Py_UCS4));
    if (self->trans_char == NULL) {
        PyMem_Free(chars);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t s = 0; s < n_states; s++) {
        for (Py_ssize_t t = self->trans_start[s]; t < self->trans_start[s + 1]; t++) {
            if (t > self->trans_start[s] && chars[t] <= chars[t - 1]) {
                PyErr_Format(PyExc_ValueError, "trans_char of state %zd is not sorted", s);
                PyMem_Free(chars);
                return -1;
            }
            self->trans_char[t] = (Py_UCS4)chars[t];
            if (s == 0 && chars[t] < 0x10000)
                self->starts_key[chars[t] >> 3] |= (unsigned char)(1u << (chars[t] & 7));
        }
    }
    PyMem_Free(chars);

    PyObject *terms = PySequence_Fast(own_term, "own_term");
    if (terms == NULL)
        return -1;
    if (PySequence_Fast_GET_SIZE(terms) != n_own) {
        PyErr_Format(PyExc_ValueError, "own_term: %zd entries, expected %zd",
                     PySequence_Fast_GET_SIZE(terms), n_own);
        Py_DECREF(terms);
        return -1;
    }
    self->own_term = table(n_own, sizeof(PyObject *));
    if (self->own_term == NULL) {
        Py_DECREF(terms);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n_own; i++) {
        PyObject *term = PySequence_Fast_GET_ITEM(terms, i);
        if (!PyUnicode_Check(term)) {
            PyErr_Format(PyExc_TypeError, "own_term[%zd] is not a str", i);
            Py_DECREF(terms);
            return -1;
        }
        Py_INCREF(term);
        self->own_term[i] = term;
    }
    Py_DECREF(terms);
    self->ready = 1;
    return 0;
}

/* The state after reading ch in state s. */
static inline Py_ssize_t
step(const Automaton *a, Py_ssize_t s, Py_UCS4 ch)
{
    if (s == 0 && ch < 0x10000 && !(a->starts_key[ch >> 3] & (1u << (ch & 7))))
        return 0;
    for (;;) {
        Py_ssize_t low = a->trans_start[s], high = a->trans_start[s + 1];
        while (low < high) {
            Py_ssize_t mid = low + (high - low) / 2;
            Py_UCS4 c = a->trans_char[mid];
            if (c == ch)
                return a->trans_next[mid];
            if (c < ch)
                low = mid + 1;
            else
                high = mid;
        }
        if (s == 0)
            return 0;
        s = a->fail[s];
    }
}

/* A letter or digit of a space-separated script: text.py's word_char. */
static inline int
word_char(Py_UCS4 ch)
{
    return (Py_UNICODE_ISALNUM(ch) || ch == '_') && !(ch >= 0x3400 && ch <= 0x9fff);
}

/* Whether one end of a match is a word's end: at ``at`` (a boundary) for a _CUT character,
 * with ``neighbour`` (the character outside the match, or -1 at the text's end) for _WORD. */
static inline int
edge_ok(int kind, int kind_edges, const void *edges, Py_ssize_t at, long neighbour)
{
    if (kind == EDGE_CUT)
        return PyUnicode_READ(kind_edges, edges, at) == '1';
    if (kind == EDGE_WORD)
        return neighbour < 0 || !word_char((Py_UCS4)neighbour);
    return 1;
}

/* Appends (label, term, start, end) to each owner's list of hits for key k. */
static int
report(Automaton *a, PyObject **found, Py_ssize_t k, PyObject *label, Py_ssize_t start,
       Py_ssize_t end)
{
    for (Py_ssize_t o = a->own_start[k]; o < a->own_start[k + 1]; o++) {
        Py_ssize_t slot = a->own_slot[o];
        if (found[slot] == NULL && (found[slot] = PyList_New(0)) == NULL)
            return -1;
        PyObject *hit = PyTuple_New(4), *at = NULL, *to = NULL;
        if (hit == NULL || (at = PyLong_FromSsize_t(start)) == NULL ||
            (to = PyLong_FromSsize_t(end)) == NULL) {
            Py_XDECREF(hit);
            Py_XDECREF(at);
            return -1;
        }
        Py_INCREF(label);
        Py_INCREF(a->own_term[o]);
        PyTuple_SET_ITEM(hit, 0, label);
        PyTuple_SET_ITEM(hit, 1, a->own_term[o]);
        PyTuple_SET_ITEM(hit, 2, at);
        PyTuple_SET_ITEM(hit, 3, to);
        int failed = PyList_Append(found[slot], hit);
        Py_DECREF(hit);
        if (failed)
            return -1;
    }
    return 0;
}

/* Searches one text (labelled ``label``) whose word edges are ``edges``. */
static int
search_text(Automaton *a, PyObject **found, PyObject *label, PyObject *text, PyObject *edges)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_GET_LENGTH(edges) != n + 1) {
        PyErr_Format(PyExc_ValueError, "turn %R: %zd word edges for %zd characters", label,
                     PyUnicode_GET_LENGTH(edges), n);
        return -1;
    }
    int kind = PyUnicode_KIND(text), kind_edges = PyUnicode_KIND(edges);
    const void *data = PyUnicode_DATA(text), *edge_data = PyUnicode_DATA(edges);
    Py_ssize_t s = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        s = step(a, s, PyUnicode_READ(kind, data, i));
        for (Py_ssize_t o = a->out_start[s]; o < a->out_start[s + 1]; o++) {
            Py_ssize_t k = a->out_key[o], end = i + 1, start = end - a->key_len[k];
            if (start < 0) /* tables that do not match their keys: never read before the text */
                continue;
            long before = start > 0 ? (long)PyUnicode_READ(kind, data, start - 1) : -1;
            long after = end < n ? (long)PyUnicode_READ(kind, data, end) : -1;
            if (!edge_ok(a->start_kind[k], kind_edges, edge_data, start, before) ||
                !edge_ok(a->end_kind[k], kind_edges, edge_data, end, after))
                continue;
            if (report(a, found, k, label, start, end) < 0)
                return -1;
        }
    }
    return 0;
}

static PyObject *
item(PyObject *fast, Py_ssize_t i, const char *name, PyObject *label)
{
    if (i < 0 || i >= PySequence_Fast_GET_SIZE(fast)) {
        PyErr_Format(PyExc_IndexError, "turn %R has no %s", label, name);
        return NULL;
    }
    PyObject *value = PySequence_Fast_GET_ITEM(fast, i);
    if (!PyUnicode_Check(value)) {
        PyErr_Format(PyExc_TypeError, "turn %R: %s is not a str", label, name);
        return NULL;
    }
    return value;
}

PyDoc_STRVAR(find_doc,
"find(texts, edges, turns) -> {owner: [(turn, term, start, end), ...]}\n\n"
"Whole-word matches in texts[i] (whose word edges are edges[i]) for each i of turns, in\n"
"turn order, then by end, the longest first.");

static PyObject *
Automaton_find(Automaton *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!self->ready) {
        PyErr_SetString(PyExc_RuntimeError, "the Automaton was not built");
        return NULL;
    }
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "find(texts, edges, turns) takes 3 arguments");
        return NULL;
    }
    PyObject *texts = NULL, *edges = NULL, *turns = NULL, *result = NULL;
    PyObject **found = PyMem_Calloc(self->n_owners > 0 ? (size_t)self->n_owners : 1,
                                    sizeof(PyObject *));
    if (found == NULL)
        return PyErr_NoMemory();
    if ((texts = PySequence_Fast(args[0], "texts must be a sequence")) == NULL ||
        (edges = PySequence_Fast(args[1], "edges must be a sequence")) == NULL ||
        (turns = PySequence_Fast(args[2], "turns must be a sequence")) == NULL)
        goto done;
    for (Py_ssize_t t = 0; t < PySequence_Fast_GET_SIZE(turns); t++) {
        PyObject *label = PySequence_Fast_GET_ITEM(turns, t);
        Py_ssize_t i = PyLong_AsSsize_t(label);
        if (i == -1 && PyErr_Occurred())
            goto done;
        PyObject *text = item(texts, i, "text", label), *edge = NULL;
        if (text == NULL || (edge = item(edges, i, "word edges", label)) == NULL)
            goto done;
        /* Held while searched: building hits may run the garbage collector, and a finaliser
         * could change the caller's lists under this loop. */
        Py_INCREF(label);
        Py_INCREF(text);
        Py_INCREF(edge);
        int failed = search_text(self, found, label, text, edge);
        Py_DECREF(label);
        Py_DECREF(text);
        Py_DECREF(edge);
        if (failed)
            goto done;
    }
    if ((result = PyDict_New()) == NULL)
        goto done;
    for (Py_ssize_t slot = 0; slot < self->n_owners; slot++) {
        if (found[slot] != NULL &&
            PyDict_SetItem(result, PyTuple_GET_ITEM(self->owners, slot), found[slot]) < 0) {
            Py_CLEAR(result);
            goto done;
        }
    }
done:
    for (Py_ssize_t slot = 0; slot < self->n_owners; slot++)
        Py_XDECREF(found[slot]);
    PyMem_Free(found);
    Py_XDECREF(texts);
    Py_XDECREF(edges);
    Py_XDECREF(turns);
    return result;
}

static PyMethodDef Automaton_methods[] = {
    {"find", (PyCFunction)(void (*)(void))Automaton_find, METH_FASTCALL, find_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject AutomatonType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "services.scoring._keyword_search.Automaton",
    .tp_doc = PyDoc_STR("An Aho-Corasick automaton built from keywords.py's tables."),
    .tp_basicsize = sizeof(Automaton),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Automaton_init,
    .tp_dealloc = (destructor)Automaton_dealloc,
    .tp_methods = Automaton_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_keyword_search",
    .m_doc = "Keyword search over turn texts (see keywords.py).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__keyword_search(void)
{
    if (PyType_Ready(&AutomatonType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&AutomatonType);
    if (PyModule_AddObject(m, "Automaton", (PyObject *)&AutomatonType) < 0) {
        Py_DECREF(&AutomatonType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
