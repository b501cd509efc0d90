module github.com/ktune/ktune

go 1.26.0
