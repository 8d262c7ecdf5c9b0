"""Slipstream errors to MLflow's error responses, registered once on the app.

    NotFoundError             404 RESOURCE_DOES_NOT_EXIST
    AlreadyExistsError        400 RESOURCE_ALREADY_EXISTS
    InvalidInputError         400 INVALID_PARAMETER_VALUE   (also: a body or query that does not parse)
    an unknown route          404 ENDPOINT_NOT_FOUND
    anything else             500 INTERNAL_ERROR

The body is MLflow 3.17's: `{"error_code": ..., "message": ..., "sqlstate": ..., "error_class":
...}`, the last two derived from the code as MLflow's `MlflowException` does (a user error is
SQLSTATE KAM00, an internal one XXM00). MLflow's client branches on `error_code`.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from slipstream._core.errors import InvalidInputError, NotFoundError
from slipstream.metadata.tracking import AlreadyExistsError

#: Most specific first: AlreadyExistsError is an InvalidInputError.
_MAPPING: tuple[tuple[type[Exception], int, str], ...] = (
    (NotFoundError, 404, "RESOURCE_DOES_NOT_EXIST"),
    (AlreadyExistsError, 400, "RESOURCE_ALREADY_EXISTS"),
    (InvalidInputError, 400, "INVALID_PARAMETER_VALUE"),
)


#: error_code -> (error_class, sqlstate), as mlflow.error_classification maps client codes.
_CLASSIFICATION: dict[str, tuple[str, str]] = {
    "INVALID_PARAMETER_VALUE": ("INVALID_PARAMETER_VALUE", "KAM00"),
    "RESOURCE_DOES_NOT_EXIST": ("RESOURCE_NOT_FOUND", "KAM00"),
    "RESOURCE_ALREADY_EXISTS": ("RESOURCE_ALREADY_EXISTS", "KAM00"),
    "ENDPOINT_NOT_FOUND": ("RESOURCE_NOT_FOUND", "KAM00"),
    "INTERNAL_ERROR": ("CLIENT_INTERNAL_ERROR", "XXM00"),
}


_ERROR_SCHEMA = {
    "type": "object", "required": ["error_code", "message"],
    "properties": {"error_code": {"type": "string"}, "message": {"type": "string"},
                   "error_class": {"type": "string"}, "sqlstate": {"type": "string"}},
}
ERROR_CONTENT = {"application/json": {"schema": _ERROR_SCHEMA}}
#: The error answers as OpenAPI documents them, for routers whose routes declare no response
#: models of their own (the MLflow routes): `include_router(router, responses=ERROR_RESPONSES)`.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"description": "Invalid input (INVALID_PARAMETER_VALUE, RESOURCE_ALREADY_EXISTS).",
          "content": ERROR_CONTENT},
    404: {"description": "Unknown id or path (RESOURCE_DOES_NOT_EXIST, ENDPOINT_NOT_FOUND).",
          "content": ERROR_CONTENT},
    "default": {"description": "Any other error (500 INTERNAL_ERROR).", "content": ERROR_CONTENT},
}


def error_response(status: int, error_code: str, message: str) -> JSONResponse:
    """MLflow's error body for `error_code`, with its `sqlstate` and `error_class`."""
    error_class, sqlstate = _CLASSIFICATION[error_code]
    return JSONResponse({"error_code": error_code, "message": message, "sqlstate": sqlstate,
                         "error_class": error_class}, status_code=status)


def _slipstream_error(request: Request, exc: Exception) -> JSONResponse:
    for kind, status, code in _MAPPING:
        if isinstance(exc, kind):
            return error_response(status, code, str(exc))
    return error_response(500, "INTERNAL_ERROR", f"{type(exc).__name__}: {exc}")


def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', '')}" for err in errors)
    return error_response(400, "INVALID_PARAMETER_VALUE",
                          f"Invalid request to {request.url.path}: {problems}")


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return error_response(404, "ENDPOINT_NOT_FOUND",
                              f"No endpoint {request.method} {request.url.path}")
    code = "INVALID_PARAMETER_VALUE" if status < 500 else "INTERNAL_ERROR"
    return error_response(status, code, str(getattr(exc, "detail", exc)))


def register_error_handlers(app: FastAPI) -> None:
    """Every route's errors go through here; routes never build error responses."""
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    for kind, _, _ in _MAPPING:
        app.add_exception_handler(kind, _slipstream_error)
    # Starlette answers these from its outermost middleware and then re-raises, so the
    # traceback of a real bug reaches the server log.
    app.add_exception_handler(Exception, _slipstream_error)
