"""DTSS 數位教學支持系統 — digital teaching and learning support system."""

__version__ = "0.1.0"
