"""Signing in and out, with Django's own views. The lockout guards them from outside (accounts/lockout.py:
the authentication backend refuses a locked username and address, the middleware answers with its page)."""

from django.contrib.auth import views as auth_views


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anyone out."""
