from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dixian.core import actions
from dixian.core.models import User
from dixian.core.roles import Department, Role


class Command(BaseCommand):
    help = "Create and list users (each bound to a role, a region and maybe a department)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a user; prints a generated password")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--region", help="division code the user is bound to")
        create.add_argument("--national", action="store_true",
                            help="national scope (analyst, auditor, system administrator)")
        create.add_argument("--department", default="", choices=["", *Department.values])
        create.add_argument("--name", default="", help="full name")
        create.add_argument("--password", help="omit to generate one")
        listing = sub.add_parser("list", help="list users")
        listing.add_argument("--region", default="", help="only users under this code")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_create(self, username, role, region, national, department, name, password,
                      **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        password = password or actions.generate_password()
        try:
            actions.do_create_user(
                username=username, role=role, region_code=region, password=password,
                department=department, is_national=national, full_name=name,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"created {username} ({role}) password: {password}")

    def handle_list(self, region, **options):
        users = User.objects.filter(region__code__startswith=region) if region else User.objects
        for user in users.order_by("username"):
            scope = "nation" if user.is_national else user.region_id
            self.stdout.write(
                f"{user.username:<24} {user.role:<20} {scope:<12} {user.department}"
            )
