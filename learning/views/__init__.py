"""Blueprints, one per audience: auth, learner, trainer, employer, admin; and error pages."""
