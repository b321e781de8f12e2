"""Reads an xlsx back with openpyxl, as a college analyst's script would, and prints JSON.

For each sheet: the dimension it declares, and its rows read in read-only mode (which trusts
the declared dimension) and in normal mode (which reads every cell), each cell as text,
dates as their Excel serial numbers.
Usage: python3 openpyxl_readback.py FILE.xlsx
"""
import json
import sys

import datetime

import openpyxl
from openpyxl.utils.datetime import to_excel


def text(v):
    """A cell as excelize reads it raw: dates as Excel serial numbers."""
    if v is None:
        return ""
    if isinstance(v, (datetime.datetime, datetime.date)):
        v = float(to_excel(v))
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def rows(ws):
    return [[text(v) for v in r] for r in ws.iter_rows(values_only=True)]


path = sys.argv[1]
fast = openpyxl.load_workbook(path, read_only=True)
full = openpyxl.load_workbook(path)
out = {}
for ws in fast.worksheets:
    out[ws.title] = {
        "dimension": ws.calculate_dimension(),
        "read_only": rows(ws),
        "normal": rows(full[ws.title]),
    }
json.dump(out, sys.stdout, ensure_ascii=False)
