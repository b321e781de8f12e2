#!/usr/bin/env bash
# Renders the first sheet of the demo cohort workbook and of the needs summary, charts
# included, headless with LibreOffice, into docs/*.png (see README, Exports).
# Needs the demo data (`go run . seed`), LibreOffice Calc and poppler-utils (Debian:
# apt-get install libreoffice-calc-nogui poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run . export --cohort SeedCohort000001 --from 2026-08 --to 2026-10 --out "$tmp/cohort.xlsx"
go run . export --needs --from 2026-01 --to 2026-12 --out "$tmp/needs.xlsx"
for book in cohort needs; do
  # Page 1 is the first sheet, printed landscape one page wide (the export sets it so).
  soffice --headless -env:UserInstallation=file://"$tmp/lo" \
    --convert-to 'pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"1"}}' \
    --outdir "$tmp" "$tmp/$book.xlsx" >/dev/null
  pdftoppm -png -r 110 -f 1 -l 1 -singlefile "$tmp/$book.pdf" "docs/$book-first-sheet"
done
ls -l docs/*.png
