"""The `tatum` commands (Click): `tatum customer list|get|update|activate|deactivate|enable|disable|export`.

Every command calls the SDK (`tatum.Sdk`, `tatum.AsyncSdk` for bulk runs) and nothing else; its help comes
from the spec (`helptext`). `run()` turns what goes wrong into a message and an exit status (`errors`): no
traceback unless `--debug`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, ParamSpec, TypeVar

import click
from click.shell_completion import CompletionItem, get_completion_class
from tatum_client.models import Customer

from .._constants import ENV_BASE_URL, LOGGER_NAME
from .._spec import CUSTOMER_UPDATE_FIELDS, OPERATIONS, snake_case
from .._version import __version__
from ..errors import TatumError, ValidationError
from . import helptext, output, safe
from .changes import BulkRequest
from .errors import FAILED, INTERRUPTED, KEY_VARIABLES, OK, Failure, message, usage_error
from .options import NetworkName, Options, current

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

_FIND_ALL = OPERATIONS["find_all_customers"]
_GET = OPERATIONS["get_customer_by_external_or_internal_id"]
_UPDATE = OPERATIONS["update_customer"]
DEFAULT_CONFIRM_ABOVE = 100
"""Credits a bulk run may spend without asking first."""
DEFAULT_CONCURRENCY = 10
"""Calls a bulk run keeps in flight; the SDK's rate limiter decides when each may go."""


def sdk_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the SDK's errors into the command line's: ValidationError a usage error (2), any other TatumError
    a failure (1) with a message a person reads; with --debug, the traceback first."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        options = current()
        try:
            return command(*args, **kwargs)
        except ValidationError as error:
            if options.debug:
                _print_traceback(error)
            raise usage_error(error) from error
        except TatumError as error:
            if options.debug:
                _print_traceback(error)
            id = kwargs.get("id")
            raise Failure(message(error, options.network, id if isinstance(id, str) else None)) from error

    return wrapper


def _print_traceback(error: BaseException) -> None:
    """The traceback of `error` on standard error (--debug), with the API's text in it escaped."""
    sys.stderr.write(safe.text("".join(traceback.format_exception(error)), newlines=True))


class _EscapingFormatter(logging.Formatter):
    """The --debug log lines, with the API's text in them escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return safe.text(super().format(record), newlines=True)


def _json_option(command: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="One JSON object a line, with the API's field names (also the default when output is piped).",
    )(command)


# The commands


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Tatum's ledger Customer API from the command line.\n\n"
    "API keys are read from the environment only, never from the command line: "
    f"{KEY_VARIABLES['mainnet']} for mainnet, {KEY_VARIABLES['testnet']} for testnet.\n\n"
    "Output: a table on a terminal; one JSON object a line (the API's field names) with --json or when "
    "piped. Exit status: 0 success, 1 the API refused or failed something, 2 usage error (nothing was "
    "sent), 130 interrupted.\n\n"
    'Shell completion: eval "$(tatum completion bash)" (or zsh, fish).',
)
@click.option(
    "--network",
    type=click.Choice(["mainnet", "testnet"]),
    default="mainnet",
    show_default=True,
    help="The network to call; its API key decides the ledger.",
)
@click.option(
    "--base-url",
    metavar="URL",
    envvar=ENV_BASE_URL,
    help=f"The API's base URL (env {ENV_BASE_URL}; default https://api.tatum.io).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks, and log each HTTP attempt to stderr.")
@click.version_option(__version__, prog_name="tatum")
@click.pass_context
def cli(ctx: click.Context, network: NetworkName, base_url: str | None, debug: bool) -> None:
    ctx.obj = Options(network, base_url, debug)
    if debug:
        logger = logging.getLogger(LOGGER_NAME)
        logger.setLevel(logging.DEBUG)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        ctx.call_on_close(lambda: logger.removeHandler(handler))


@cli.group(
    help="The Customer API (/v3/ledger/customer): list, look up, update, export, and change the state of "
    "customers in bulk. Each command's help gives the credits it spends.",
    short_help="List, look up, update, export and (de)activate, enable or disable customers.",
)
def customer() -> None:
    pass


@customer.command(
    "list",
    help=f"{helptext.describe(_FIND_ALL)}\n\nOne page by default; --all walks every page from --offset.",
    short_help=helptext.short(_FIND_ALL, "page"),
)
@click.option(
    "--page-size",
    type=int,
    metavar="N",
    default=50,
    show_default=True,
    help=helptext.parameter(_FIND_ALL, "pageSize"),
)
@click.option(
    "--offset",
    type=int,
    metavar="N",
    default=0,
    show_default=True,
    help=helptext.parameter(_FIND_ALL, "offset"),
)
@click.option(
    "--all",
    "all_pages",
    is_flag=True,
    help="Every customer from --offset on, page after page (1 credit a page).",
)
@_json_option
@sdk_errors
def list_customers(page_size: int, offset: int, all_pages: bool, as_json: bool) -> int:
    options = current()
    with options.sdk() as sdk:
        network = options.network_of(sdk)
        api = network.api().customer()
        if all_pages:
            customers: Iterable[Customer] = api.iter_customers(page_size, offset)
        else:
            customers = api.find_all_customers(page_size, offset)
        if output.wants_json(as_json):
            for customer in customers:
                output.json_line(sys.stdout, customer.to_dict())
            return OK
        rows = list(customers)
        caption = f"{len(rows)} customer(s) from offset {offset} on {options.network}"
        caption += f"; {helptext.credits(network.credits_used)} spent"
        if not all_pages and len(rows) == page_size:
            caption += f"; next page: --offset {offset + page_size}"
        output.print_customers(output.console(), rows, caption)
    return OK


@customer.command(
    "get",
    help=f"{helptext.describe(_GET)}\n\nID: {helptext.parameter(_GET, 'id')}",
    short_help=helptext.short(_GET),
)
@click.argument("id")
@_json_option
@sdk_errors
def get_customer(id: str, as_json: bool) -> int:
    options = current()
    with options.sdk() as sdk:
        found = options.network_of(sdk).api().customer().get_customer_by_external_or_internal_id(id)
    _show(found, as_json)
    return OK


def _update_options(command: Callable[P, R]) -> Callable[P, R]:
    """An option per CustomerUpdate field of the spec: `--external-id`, `--accounting-currency`, ..."""
    for name, limits in reversed(CUSTOMER_UPDATE_FIELDS.items()):
        command = click.option(
            "--" + snake_case(name).replace("_", "-"),
            snake_case(name),
            required=limits.required,
            metavar="CODE" if limits.enum else "TEXT",
            help=helptext.update_field(name),
            shell_complete=_codes(limits.enum) if limits.enum else None,
        )(command)
    return command


def _codes(
    codes: Iterable[str],
) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    """Shell completion from an enum of the spec."""
    ordered = sorted(codes)

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        return [CompletionItem(code) for code in ordered if code.startswith(incomplete.upper())]

    return complete


@customer.command(
    "update",
    help=f"{helptext.describe(_UPDATE)}\n\nID: {helptext.parameter(_UPDATE, 'id')} "
    "--external-id is required; the other fields are changed only when given. Prints the updated customer.",
    short_help=helptext.short(_UPDATE),
)
@click.argument("id")
@_update_options
@_json_option
@sdk_errors
def update_customer(id: str, as_json: bool, **fields: str | None) -> int:
    options = current()
    body = {
        name: fields[snake_case(name)]
        for name in CUSTOMER_UPDATE_FIELDS
        if fields[snake_case(name)] is not None
    }
    with options.sdk() as sdk:
        updated = options.network_of(sdk).api().customer().update_customer(id, body)
    _show(updated, as_json)
    return OK


def _show(customer: Customer, as_json: bool) -> None:
    if output.wants_json(as_json):
        output.json_line(sys.stdout, customer.to_dict())
    else:
        output.console().print(output.customer_card(customer))


@customer.command(
    "export",
    help="Every customer, page after page, as JSON lines or CSV, holding one page in memory at a time "
    f"(each page is one {_FIND_ALL.method} {_FIND_ALL.path} call: {helptext.credits(_FIND_ALL.credits)}). "
    "CSV has a column per Customer field of the spec, named as in the API. With --output, a file (through "
    "a symlink, its target) appears only once every page is written, so an interrupted export leaves no "
    "partial file; a FIFO or a device such as /dev/stdout is written page by page.",
    short_help=f"Every customer as JSON lines or CSV ({helptext.credits(_FIND_ALL.credits)} a page).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object a line, the API's field names; csv: a header row, then a row a customer.",
)
@click.option("--output", "output_path", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--page-size",
    type=int,
    metavar="N",
    default=50,
    show_default=True,
    help=helptext.parameter(_FIND_ALL, "pageSize"),
)
@sdk_errors
def export(file_format: str, output_path: str | None, page_size: int) -> int:
    options = current()
    count = pages = 0
    with options.sdk() as sdk, _destination(output_path) as stream:
        network = options.network_of(sdk)
        write = _writer(file_format, stream)
        for page in network.api().customer().pages(page_size):
            for item in page.items:
                write(item)
            stream.flush()
            count += len(page.items)
            pages += 1
        spent = network.credits_used
    where = output_path or "standard output"
    click.echo(
        f"Exported {count:,} customer(s) to {where}: {pages} page(s), {helptext.credits(spent)}.", err=True
    )
    return OK


def _writer(file_format: str, stream: IO[str]) -> Callable[[Customer], None]:
    if file_format == "csv":
        return output.CsvWriter(stream).write
    return lambda customer: output.json_line(stream, customer.to_dict())


@contextlib.contextmanager
def _destination(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or what `path` names. A regular file (through a symlink, its target; or a new file)
    is written as a temporary file beside it that replaces it only if all went well, with the mode it had;
    anything else (a FIFO, /dev/stdout, a terminal) is written directly."""
    if path is None:
        yield sys.stdout
        return
    target, mode = _regular_file(path)
    if target is None:
        with _opened(path, lambda: open(path, "w", encoding="utf-8", newline="")) as stream:
            yield stream
        return
    handle = _opened(
        path,
        lambda: tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
            "w",
            encoding="utf-8",
            newline="",
            dir=os.path.dirname(target),
            prefix=f".{os.path.basename(target)}.",
            suffix=".partial",
            delete=False,
        ),
    )
    try:
        with handle:
            yield handle
        os.chmod(handle.name, mode)  # not the temporary file's 0600
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def _regular_file(path: str) -> tuple[str | None, int]:
    """The file that `--output path` replaces, and the mode to give it: `path` itself, or the end of its
    symlinks; None if `path` is not a regular file (or not one a path reaches, as /dev/stdout may be)."""
    try:
        status = os.stat(path)  # through any symlink
    except FileNotFoundError:  # a new file, or a symlink to one: as a file opened for writing would be
        return os.path.realpath(path), 0o666 & ~_umask()
    except OSError as error:
        raise click.UsageError(f"--output {path}: cannot write there ({error.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        return None, 0
    target = os.path.realpath(path)
    try:
        same = os.path.samestat(os.stat(target), status)
    except OSError:
        same = False
    return (target, stat.S_IMODE(status.st_mode)) if same else (None, 0)


def _opened(path: str, opener: Callable[[], T]) -> T:
    """`opener()`, with an OSError as a usage error naming --output (nothing has been sent yet)."""
    try:
        return opener()
    except OSError as error:
        raise click.UsageError(f"--output {path}: cannot write there ({error.strerror})") from None


# Bulk state changes


def _state_change(name: str) -> None:
    """Add the bulk command `name` (`disable`) to `tatum customer`."""
    operation = OPERATIONS[helptext.STATE_CHANGES[name]]

    @customer.command(
        name, help=helptext.state_change(name), short_help=helptext.short(operation, "customer")
    )
    @click.argument("id_arguments", metavar="[ID]...", nargs=-1)
    @click.option(
        "--from", "from_file", metavar="FILE", help="Read ids from FILE, one a line (- for standard input)."
    )
    @click.option(
        "--dry-run",
        is_flag=True,
        help="Print each request that would be sent, and the credits; send nothing.",
    )
    @click.option(
        "--yes", "-y", is_flag=True, help="Do not ask before spending more than --confirm-above credits."
    )
    @click.option(
        "--journal",
        "journal_path",
        metavar="FILE",
        help="Record each finished id in FILE; a run given the same FILE skips them (resume after Ctrl-C).",
    )
    @click.option(
        "--concurrency",
        type=click.IntRange(1, 100),
        metavar="N",
        default=DEFAULT_CONCURRENCY,
        show_default=True,
        help="Calls in flight at once; the API key's rate limit still decides when each may go.",
    )
    @click.option(
        "--confirm-above",
        type=click.IntRange(min=0),
        default=DEFAULT_CONFIRM_ABOVE,
        show_default=True,
        metavar="CREDITS",
        help="Ask before a run that may spend more credits than this.",
    )
    @_json_option
    @sdk_errors
    def command(
        id_arguments: tuple[str, ...],
        from_file: str | None,
        dry_run: bool,
        yes: bool,
        journal_path: str | None,
        concurrency: int,
        confirm_above: int,
        as_json: bool,
    ) -> int:
        request = BulkRequest(
            name, operation, id_arguments, from_file, journal_path, concurrency, confirm_above, yes, as_json
        )
        return request.dry_run() if dry_run else request.run()


for _name in helptext.STATE_CHANGES:
    _state_change(_name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def completion_script(shell: str) -> str:
    """The script that makes `shell` complete `tatum` commands, options and codes."""
    cls = get_completion_class(shell)
    assert cls is not None
    return cls(cli, {}, "tatum", "_TATUM_COMPLETE").source()


@cli.command(help='Print the shell completion script: eval "$(tatum completion bash)".')
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> int:
    click.echo(completion_script(shell))
    return OK


def run(argv: Sequence[str] | None = None) -> int:
    """Run `tatum` with `argv` (default: the process's arguments); its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="tatum", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort as error:
        if isinstance(error.__context__, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            return INTERRUPTED
        click.echo("Aborted: nothing was sent.", err=True)
        return FAILED
    except UnicodeEncodeError as error:  # standard output or error in an encoding narrower than the data
        encoding = error.encoding
        click.echo(
            f"Error: the output's encoding ({encoding}) cannot hold {error.object[error.start : error.end]!a}; "
            "set PYTHONIOENCODING=utf-8 (or use a UTF-8 locale); `export --output FILE` always writes UTF-8",
            err=True,
        )
        return FAILED
    except Exception as error:  # a bug, or the system failing us (a full disk): still no traceback
        if "--debug" in args:
            _print_traceback(error)
        else:
            text = safe.text(f"{type(error).__name__}: {error}")
            click.echo(f"Error: {text} (--debug shows the traceback)", err=True)
        return FAILED
    return result if isinstance(result, int) else OK
