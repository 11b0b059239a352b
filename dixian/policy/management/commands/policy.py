"""`dixian policy show|export|import|history`: the policy from the command line."""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dixian.core.models import User
from dixian.policy.bridge import files
from dixian.policy.bridge import policy as engine


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on {text!r} is not a date (YYYY-MM-DD)") from None


def _region(text: str) -> str:
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        raise CommandError(f"--region {text!r} is not a division code")
    return text


class Command(BaseCommand):
    help = "Show, export or import a region's policy (an import is a proposal to approve)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="the policy in force in a region on a day")
        show.add_argument("--region", required=True, type=_region)
        show.add_argument("--on", type=_date, default=None, help="YYYY-MM-DD (today)")
        show.add_argument("--json", action="store_true", help="one object: name -> value")
        export = sub.add_parser("export", help="a region's own values as TOML")
        export.add_argument("--region", required=True, type=_region)
        export.add_argument("--file", type=Path, help="write here (default: standard output)")
        imp = sub.add_parser("import", help="propose the changes a TOML file holds")
        imp.add_argument("file", type=Path)
        imp.add_argument("--user", required=True, help="the proposing policy administrator")

    def handle(self, *args, action, **options):
        if action == "show":
            on = options["on"] or dt.date.today()
            policy = engine.resolve(options["region"], on)
            if options["json"]:
                self.stdout.write(json.dumps(policy.as_json(), ensure_ascii=False, indent=1))
                return
            self.stdout.write(f"policy of {policy.region or 'the nation'} on {on} "
                              f"(fingerprint {policy.fingerprint})")
            for name in sorted(policy):
                r = policy.record(name)
                where = r.region or "nation"
                value = policy.as_json()[name]
                self.stdout.write(f"{name:<52} {json.dumps(value, ensure_ascii=False):<24} "
                                  f"[{where} from {r.start}]")
        elif action == "export":
            text = files.export_toml(options["region"])
            if options["file"]:
                options["file"].write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {options['file']}")
            else:
                self.stdout.write(text)
        else:
            self._import(options["file"], options["user"])

    def _import(self, path: Path, username: str) -> None:
        from dixian.policy.actions import do_propose_policy_change

        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot be read as UTF-8 text ({error})") from None
        try:
            proposal = files.read_proposal(text, name=str(path))
        except engine.PolicyError as error:
            raise CommandError(str(error)) from None
        try:
            actor = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"no active user {username!r}") from None
        try:
            change = do_propose_policy_change(
                region=proposal.region, title=proposal.title,
                basis_number=proposal.basis_number, basis_date=proposal.basis_date,
                basis_text=proposal.basis_text, effective_from=proposal.effective_from,
                values=proposal.values, actor=actor, source_file=text)
        except ValidationError as error:
            raise CommandError(f"{path}: nothing proposed:\n  " + "\n  ".join(error.messages)
                               ) from None
        except PermissionDenied:
            raise CommandError(f"{username} may not propose policy changes") from None
        except Exception as error:  # NotFound: out of the user's region
            if error.__class__.__name__ == "NotFound":
                raise CommandError(f"{username} may not change the policy of region "
                                   f"{proposal.region}") from None
            raise
        self.stdout.write(f"proposed change {change.pk} for {change.region_id} from "
                          f"{change.effective_from} ({len(change.values)} value(s)); "
                          "a second policy administrator approves it")
