// Package geo converts the coordinates phones in China report into WGS-84. Chinese map SDKs
// (AMap, Tencent, the WeChat location API) return GCJ-02, the national datum that offsets
// WGS-84 by a few hundred metres in a way only its published forward formula describes; GeoJSON
// (RFC 7946) and most maps outside China expect WGS-84. The forward formula is the widely
// reimplemented one of the GCJ-02 datum (a = 6378245 m, ee = 0.00669342162296594323); the
// inverse has no closed form and is found by iterating the forward formula, to well under a
// centimetre. Outside China's bounding box nothing is offset.
package geo

import "math"

const (
	semiMajor = 6378245.0
	ee        = 0.00669342162296594323
)

// OutsideChina reports whether a point lies outside the box in which GCJ-02 offsets.
func OutsideChina(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// WGS84ToGCJ02 is the forward formula: where a GCJ-02 map shows a WGS-84 point.
func WGS84ToGCJ02(lon, lat float64) (float64, float64) {
	if OutsideChina(lon, lat) {
		return lon, lat
	}
	dLon, dLat := offset(lon, lat)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02 by fixed-point iteration: start at the GCJ-02 point and
// move by the error of its forward image until it is below 1e-9 degrees (about 0.1 mm).
func GCJ02ToWGS84(lon, lat float64) (float64, float64) {
	if OutsideChina(lon, lat) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for range 30 {
		gLon, gLat := WGS84ToGCJ02(wLon, wLat)
		eLon, eLat := gLon-lon, gLat-lat
		wLon, wLat = wLon-eLon, wLat-eLat
		if math.Abs(eLon) < 1e-9 && math.Abs(eLat) < 1e-9 {
			break
		}
	}
	return wLon, wLat
}

func offset(lon, lat float64) (dLon, dLat float64) {
	x, y := lon-105.0, lat-35.0
	dLat = -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	dLat += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLat += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	dLat += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	dLon = 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	dLon += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	dLon += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	dLon += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	rad := lat / 180.0 * math.Pi
	magic := 1 - ee*math.Sin(rad)*math.Sin(rad)
	sqrtMagic := math.Sqrt(magic)
	dLat = dLat * 180.0 / ((semiMajor * (1 - ee)) / (magic * sqrtMagic) * math.Pi)
	dLon = dLon * 180.0 / (semiMajor / sqrtMagic * math.Cos(rad) * math.Pi)
	return dLon, dLat
}
