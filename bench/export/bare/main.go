// Command bare is the baseline of bench/export: a bare excelize StreamWriter writing n rows
// of the commute sheet's shape (15 columns: text, times, numbers) to a file, as the excelize
// documentation shows it, and nothing else. bench/export runs it as its own process beside
// `feidi export`, each under /usr/bin/time -v.
//
//	go run ./bench/export/bare -rows 100000 -out bare.xlsx
package main

import (
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	rows := flag.Int("rows", 100000, "number of rows")
	out := flag.String("out", "bare.xlsx", "file to write")
	flag.Parse()
	if err := write(*out, *rows); err != nil {
		log.Fatal(err)
	}
}

func write(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]any, 15)
	for k := 0; k < n; k++ {
		depart := start.Add(time.Duration(k) * time.Minute)
		arrive := depart.Add(75 * time.Minute)
		row = append(row[:0], fmt.Sprintf("t%015d", k), "engineer", "工程师", "成都", "大足", depart, arrive,
			depart, arrive, depart, "高铁", 240.0, 1.25, 96.5, "成都东—大足南")
		cell, _ := excelize.CoordinatesToCellName(1, k+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}
