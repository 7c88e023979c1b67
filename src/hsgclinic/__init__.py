"""hsgclinic: runs a hospital's painless hysterosalpingogram (HSG) pathway."""

__version__ = "0.1.0"
