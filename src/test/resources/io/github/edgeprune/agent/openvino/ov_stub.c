/*
 * A stand-in for libopenvino_c, compiled by OpenVinoStubTest with the system C compiler, so the
 * JNA binding's calling conventions (handles through out-pointers, ov_shape_t by value, the
 * variadic compile call, size_t, allocated error strings) are exercised where no OpenVINO runtime
 * can be installed. Its "model" doubles its input. Written for these tests only.
 *
 * Build with -DSTUB_NEW_ENUM for the element-type enum without UNDEFINED (f32 = 4).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef STUB_NEW_ENUM
enum { T_F16 = 3, T_F32 = 4, T_F64 = 5 };
#else
enum { T_F16 = 4, T_F32 = 5, T_F64 = 6 };
#endif

typedef struct { int64_t rank; int64_t *dims; } shape_t;
typedef struct { const char *build; const char *description; } version_t;
typedef struct { int type; int64_t rank; int64_t dims[8]; size_t count; float *data; int owns; } tensor_t;
typedef struct { int magic; } core_t;
typedef struct { char path[1024]; } model_t;
typedef struct { int magic; } compiled_t;
typedef struct { tensor_t *input; tensor_t *output; } request_t;
typedef struct { int64_t rank; int64_t dims[8]; } port_t;

static char last_error[1024];
static int live_strings;
static int live_objects;
static size_t last_property_args = 12345;

static int fail(int status, const char *msg) {
    snprintf(last_error, sizeof last_error, "%s", msg);
    return status;
}

int stub_live_strings(void) { return live_strings; }
int stub_live_objects(void) { return live_objects; }
long stub_last_property_args(void) { return (long) last_property_args; }

const char *ov_get_last_err_msg(void) {
    if (!last_error[0]) return NULL;
    char *copy = malloc(strlen(last_error) + 1);
    strcpy(copy, last_error);
    live_strings++;
    return copy;
}

const char *ov_get_error_info(int status) { return status == 0 ? "OK" : "stub error"; }

void ov_free(const char *p) { if (p) { live_strings--; free((void *) p); } }

int ov_get_openvino_version(version_t *v) {
    if (!v) return -14;
    v->build = strdup("2099.1.0-stub");
    v->description = strdup("OpenVINO stub for tests");
    live_strings += 2;
    return 0;
}

void ov_version_free(version_t *v) {
    if (v && v->build) { free((void *) v->build); live_strings--; v->build = NULL; }
    if (v && v->description) { free((void *) v->description); live_strings--; v->description = NULL; }
}

int ov_core_create(core_t **core) {
    if (!core) return -14;
    *core = calloc(1, sizeof(core_t));
    live_objects++;
    return 0;
}

void ov_core_free(core_t *core) { if (core) { live_objects--; free(core); } }

int ov_core_read_model(const core_t *core, const char *xml, const char *bin, model_t **model) {
    if (!core || !xml || !model) return -14;
    FILE *f = fopen(xml, "r");
    if (!f) {
        char msg[1200];
        snprintf(msg, sizeof msg, "Model file %s cannot be opened!", xml);
        return fail(-1, msg);
    }
    fclose(f);
    if (bin) {
        f = fopen(bin, "r");
        if (!f) return fail(-1, "Weights file cannot be opened!");
        fclose(f);
    }
    *model = calloc(1, sizeof(model_t));
    snprintf((*model)->path, sizeof (*model)->path, "%s", xml);
    live_objects++;
    return 0;
}

void ov_model_free(model_t *m) { if (m) { live_objects--; free(m); } }

int ov_core_compile_model(const core_t *core, const model_t *model, const char *device, size_t nargs,
                          compiled_t **out, ...) {
    last_property_args = nargs;
    if (!core || !model || !out || nargs % 2) return -14;
    if (strcmp(device, "CPU") != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "Device with \"%s\" name is not registered in the OpenVINO Runtime", device);
        return fail(-1, msg);
    }
    *out = calloc(1, sizeof(compiled_t));
    live_objects++;
    return 0;
}

void ov_compiled_model_free(compiled_t *c) { if (c) { live_objects--; free(c); } }

int ov_compiled_model_inputs_size(const compiled_t *c, size_t *n) { if (!c || !n) return -14; *n = 1; return 0; }
int ov_compiled_model_outputs_size(const compiled_t *c, size_t *n) { if (!c || !n) return -14; *n = 1; return 0; }

int ov_compiled_model_input_by_index(const compiled_t *c, size_t index, port_t **port) {
    if (!c || !port) return -14;
    if (index != 0) return fail(-6, "input index out of range");
    *port = calloc(1, sizeof(port_t));
    (*port)->rank = 4;
    (*port)->dims[0] = 1; (*port)->dims[1] = 3; (*port)->dims[2] = 32; (*port)->dims[3] = 48;
    live_objects++;
    return 0;
}

void ov_output_const_port_free(port_t *p) { if (p) { live_objects--; free(p); } }

static void fill_shape(shape_t *s, int64_t rank, const int64_t *dims) {
    s->rank = rank;
    s->dims = malloc(sizeof(int64_t) * (rank > 0 ? rank : 1));
    memcpy(s->dims, dims, sizeof(int64_t) * rank);
    live_objects++;
}

int ov_shape_free(shape_t *s) {
    if (s && s->dims) { free(s->dims); s->dims = NULL; live_objects--; }
    return 0;
}

int ov_const_port_get_shape(const port_t *p, shape_t *s) {
    if (!p || !s) return -14;
    fill_shape(s, p->rank, p->dims);
    return 0;
}

int ov_compiled_model_create_infer_request(const compiled_t *c, request_t **r) {
    if (!c || !r) return -14;
    *r = calloc(1, sizeof(request_t));
    live_objects++;
    return 0;
}

static tensor_t *new_tensor(int type, shape_t shape, float *data) {
    tensor_t *t = calloc(1, sizeof(tensor_t));
    t->type = type;
    t->rank = shape.rank;
    t->count = 1;
    for (int i = 0; i < shape.rank; i++) { t->dims[i] = shape.dims[i]; t->count *= (size_t) shape.dims[i]; }
    t->data = data;
    live_objects++;
    return t;
}

static int element_size(int type) {
    return type == T_F32 ? 4 : type == T_F16 ? 2 : type == T_F64 ? 8 : 1;
}

int ov_tensor_create(int type, shape_t shape, tensor_t **t) {
    if (!t || shape.rank < 0 || shape.rank > 8) return -14;
    *t = new_tensor(type, shape, NULL);
    (*t)->data = calloc((*t)->count ? (*t)->count : 1, element_size(type));
    (*t)->owns = 1;
    return 0;
}

int ov_tensor_create_from_host_ptr(int type, shape_t shape, void *host, tensor_t **t) {
    if (!t || !host || shape.rank < 0 || shape.rank > 8) return -14;
    if (type != T_F32) return fail(-4, "the stub only takes f32 tensors");
    *t = new_tensor(type, shape, host);
    return 0;
}

void ov_tensor_free(tensor_t *t) {
    if (!t) return;
    if (t->owns) free(t->data);
    live_objects--;
    free(t);
}

int ov_tensor_get_shape(const tensor_t *t, shape_t *s) { if (!t || !s) return -14; fill_shape(s, t->rank, t->dims); return 0; }
int ov_tensor_get_element_type(const tensor_t *t, int *type) { if (!t || !type) return -14; *type = t->type; return 0; }
int ov_tensor_get_size(const tensor_t *t, size_t *n) { if (!t || !n) return -14; *n = t->count; return 0; }
int ov_tensor_get_byte_size(const tensor_t *t, size_t *n) {
    if (!t || !n) return -14;
    *n = t->count * element_size(t->type);
    return 0;
}
int ov_tensor_data(const tensor_t *t, void **data) { if (!t || !data) return -14; *data = t->data; return 0; }

int ov_infer_request_set_input_tensor_by_index(request_t *r, size_t index, tensor_t *t) {
    if (!r || !t) return -14;
    if (index != 0) return fail(-6, "input index out of range");
    r->input = t; /* the real runtime shares the tensor too */
    return 0;
}

int ov_infer_request_infer(request_t *r) {
    if (!r) return -14;
    if (!r->input) return fail(-1, "Input tensor is not set");
    if (r->output) { ov_tensor_free(r->output); }
    shape_t s = { r->input->rank, r->input->dims };
    r->output = new_tensor(T_F32, s, NULL);
    r->output->data = malloc(sizeof(float) * r->output->count);
    r->output->owns = 1;
    for (size_t i = 0; i < r->output->count; i++) r->output->data[i] = 2.0f * r->input->data[i];
    return 0;
}

int ov_infer_request_get_output_tensor_by_index(const request_t *r, size_t index, tensor_t **t) {
    if (!r || !t) return -14;
    if (!r->output) return fail(-9, "Output tensor is not ready");
    if (index != 0) return fail(-6, "output index out of range");
    /* a fresh handle onto the same data, as the real API hands out a new ov_tensor_t */
    shape_t s = { r->output->rank, (int64_t *) r->output->dims };
    *t = new_tensor(r->output->type, s, r->output->data);
    return 0;
}

void ov_infer_request_free(request_t *r) {
    if (!r) return;
    if (r->output) ov_tensor_free(r->output);
    live_objects--;
    free(r);
}
