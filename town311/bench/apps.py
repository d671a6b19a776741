from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "town311.bench"
    verbose_name = "Benchmark"
